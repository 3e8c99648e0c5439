import { useAppLabels } from '../appContext.js';
import { paths } from '../router.js';
import { PageHeader } from './PageHeader.js';

export function NotFoundPage() {
  const labels = useAppLabels();
  return (
    <>
      <PageHeader title={labels.notFoundTitle} intro={labels.notFoundText} />
      <a href={paths.home()}>{labels.goHome}</a>
    </>
  );
}
