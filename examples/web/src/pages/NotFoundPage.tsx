import { useAppLabels } from '../appContext.js';
import { RouterLink } from '../RouterLink.js';
import { paths } from '../router.js';
import { PageHeader } from './PageHeader.js';

export function NotFoundPage() {
  const labels = useAppLabels();
  return (
    <>
      <PageHeader title={labels.notFoundTitle} intro={labels.notFoundText} />
      <RouterLink href={paths.home()}>{labels.goHome}</RouterLink>
    </>
  );
}
