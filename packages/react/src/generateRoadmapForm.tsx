import { generateRequestSchema } from '@roadmap/core';
import type { GenerateRoadmapBody, GenerateRoadmapResponse } from '@roadmap/core/client';
import { type ChangeEvent, type ComponentProps, type FormEvent, useId, useRef, useState } from 'react';
import { Button } from './button.js';
import { cn } from './cn.js';
import { LoaderIcon } from './icons.js';
import { useRoadmapLabels } from './provider.js';
import { useEstimate } from './useEstimate.js';
import { useGenerateRoadmap } from './useGenerateRoadmap.js';

export interface GenerateRoadmapFormProps extends Omit<ComponentProps<'form'>, 'onSubmit' | 'children'> {
  /** Called with the server's answer once the task is created (`202`). */
  onCreated?: (response: GenerateRoadmapResponse) => void;
  /**
   * Shows what a generation with the current inputs is expected to cost above the button ("≈ $0.43, about 80 model
   * calls"; the calls alone when the server's model has no price), from `POST /roadmaps/estimate`, which calls no
   * model: asked 300 ms after the last change of valid inputs, the earlier question aborted, nothing shown while the
   * inputs are invalid or when it fails. Generate never waits for it. An `onChange` that calls
   * `event.preventDefault()` keeps that change from being estimated. Default: `true`.
   */
  showEstimate?: boolean;
}

const levels = ['beginner', 'intermediate', 'advanced'] as const;
const contentPreferences = ['text', 'video', 'interactive', 'project'] as const;
type FieldName =
  | 'learning_goal'
  | 'available_hours_per_week'
  | 'current_level'
  | 'motivation'
  | 'career_background'
  | 'primary_language'
  | 'additional_context'
  | 'budget_usd';

/** Turns the form's fields into a request body (empty optional fields left out). */
function readForm(form: HTMLFormElement): GenerateRoadmapBody {
  const data = new FormData(form);
  const text = (name: string) => {
    const value = String(data.get(name) ?? '').trim();
    return value ? value : undefined;
  };
  const preferences: Record<string, unknown> = {
    learning_goal: String(data.get('learning_goal') ?? ''),
    available_hours_per_week: Number(data.get('available_hours_per_week')),
    current_level: data.get('current_level'),
  };
  for (const name of ['motivation', 'career_background', 'primary_language']) {
    const value = text(name);
    if (value) preferences[name] = value;
  }
  const chosen = data.getAll('content_preference').map(String);
  if (chosen.length) preferences.content_preference = chosen;
  const additional = text('additional_context');
  const budget = text('budget_usd');
  return {
    preferences,
    ...(additional ? { additional_context: additional } : {}),
    ...(budget ? { budget_usd: Number(budget) } : {}),
    ...(data.get('review_before_content') ? { review_before_content: true } : {}),
  } as GenerateRoadmapBody;
}

const fieldOf = (path: readonly PropertyKey[] | string) => {
  const parts = typeof path === 'string' ? path.split('.') : path.map(String);
  return (parts[0] === 'preferences' ? parts[1] : parts[0]) as FieldName | undefined;
};

/**
 * The learner's preferences (goal, hours per week, level, motivation, background, preferred content, language),
 * validated with core's `generateRequestSchema` before it is sent; field errors from the server are shown too.
 *
 * @example
 * <GenerateRoadmapForm onCreated={({ task_id }) => navigate(`/tasks/${task_id}`)} />
 */
export function GenerateRoadmapForm({
  onCreated,
  showEstimate = true,
  onChange,
  className,
  ...props
}: GenerateRoadmapFormProps) {
  const labels = useRoadmapLabels();
  // The request the inputs make while they are valid: what the estimate line is about.
  const [validBody, setValidBody] = useState<GenerateRoadmapBody>();
  const { estimate } = useEstimate(showEstimate ? validBody : undefined);
  const change = (event: ChangeEvent<HTMLFormElement>) => {
    onChange?.(event);
    if (!showEstimate || event.defaultPrevented) return;
    const parsed = generateRequestSchema.safeParse(readForm(event.currentTarget));
    setValidBody(parsed.success ? parsed.data : undefined);
  };
  const id = useId();
  const { generate, isPending, error } = useGenerateRoadmap();
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const idempotencyKey = useRef<string | undefined>(undefined);

  const message = (field: FieldName) =>
    field === 'learning_goal' || field === 'available_hours_per_week'
      ? labels.invalidField[field]
      : labels.invalidField.other;

  const showErrors = (form: HTMLFormElement, paths: (readonly PropertyKey[] | string)[]) => {
    const next: Partial<Record<FieldName, string>> = {};
    for (const path of paths) {
      const field = fieldOf(path);
      if (field) next[field] ??= message(field);
    }
    setErrors(next);
    const first = Object.keys(next)[0];
    if (first) (form.elements.namedItem(first) as HTMLElement | null)?.focus?.();
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const parsed = generateRequestSchema.safeParse(readForm(form));
    if (!parsed.success) {
      showErrors(
        form,
        parsed.error.issues.map((issue) => issue.path),
      );
      return;
    }
    setErrors({});
    idempotencyKey.current ??= globalThis.crypto?.randomUUID?.();
    try {
      const response = await generate(
        parsed.data,
        idempotencyKey.current ? { idempotencyKey: idempotencyKey.current } : {},
      );
      idempotencyKey.current = undefined;
      onCreated?.(response);
    } catch (thrown) {
      const fieldErrors = (thrown as { errors?: { path: string }[] }).errors ?? [];
      if (fieldErrors.length)
        showErrors(
          form,
          fieldErrors.map((fieldError) => fieldError.path),
        );
    }
  };

  const field = (name: FieldName) => ({
    id: `${id}-${name}`,
    name,
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': errors[name] ? `${id}-${name}-error` : undefined,
  });
  const fieldError = (name: FieldName) =>
    errors[name] && (
      <p id={`${id}-${name}-error`} className="roadmap-field-error">
        {errors[name]}
      </p>
    );
  const label = (name: FieldName, text: string) => (
    <label className="roadmap-label" htmlFor={`${id}-${name}`}>
      {text}
    </label>
  );

  return (
    <form
      data-slot="generate-roadmap-form"
      noValidate
      onSubmit={submit}
      onChange={change}
      className={cn('roadmap-form', className)}
      {...props}
    >
      <div className="roadmap-field">
        {label('learning_goal', labels.learningGoal)}
        <textarea {...field('learning_goal')} required rows={3} placeholder={labels.learningGoalHint} />
        {fieldError('learning_goal')}
      </div>
      <div className="roadmap-field-row">
        <div className="roadmap-field">
          {label('available_hours_per_week', labels.hoursPerWeek)}
          <input {...field('available_hours_per_week')} type="number" min={1} max={168} step={1} defaultValue={10} />
          {fieldError('available_hours_per_week')}
        </div>
        <div className="roadmap-field">
          {label('current_level', labels.currentLevel)}
          <select {...field('current_level')} defaultValue="beginner">
            {levels.map((level) => (
              <option key={level} value={level}>
                {labels.level[level]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="roadmap-field">
        {label('motivation', labels.motivation)}
        <input {...field('motivation')} />
        {fieldError('motivation')}
      </div>
      <div className="roadmap-field">
        {label('career_background', labels.careerBackground)}
        <input {...field('career_background')} />
        {fieldError('career_background')}
      </div>
      <fieldset className="roadmap-field">
        <legend className="roadmap-label">{labels.contentPreference}</legend>
        {contentPreferences.map((preference) => (
          <label key={preference} className="roadmap-check">
            <input type="checkbox" name="content_preference" value={preference} />
            {labels.contentPreferenceOptions[preference]}
          </label>
        ))}
      </fieldset>
      <div className="roadmap-field">
        {label('primary_language', labels.primaryLanguage)}
        <input {...field('primary_language')} />
        {fieldError('primary_language')}
      </div>
      <div className="roadmap-field">
        {label('additional_context', labels.additionalContext)}
        <textarea {...field('additional_context')} rows={2} />
        {fieldError('additional_context')}
      </div>
      <div className="roadmap-field">
        {label('budget_usd', labels.taskBudget)}
        <input {...field('budget_usd')} type="number" inputMode="decimal" min={0} step="any" />
        {fieldError('budget_usd')}
      </div>
      <label className="roadmap-check">
        <input type="checkbox" name="review_before_content" value="true" />
        {labels.reviewBeforeContent}
      </label>
      {showEstimate && (
        <p data-slot="estimate" className="roadmap-estimate" aria-live="polite">
          {estimate &&
            labels.estimate(
              estimate.estimated_calls,
              estimate.estimated_cost_usd === null ? null : labels.formatUsd(estimate.estimated_cost_usd),
            )}
        </p>
      )}
      {error && !error.errors.length && (
        <p role="alert" className="roadmap-error">
          {error.detail}
        </p>
      )}
      <Button type="submit" disabled={isPending} aria-busy={isPending}>
        {isPending && <LoaderIcon className="roadmap-spin" />}
        {isPending ? labels.submitting : labels.generate}
      </Button>
    </form>
  );
}
