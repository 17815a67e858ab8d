import { validateWorkflow } from '@action-validator/core';
import type { Problem } from './manifest-schema';

/** A GitHub Actions workflow checked against the workflow JSON schema (SchemaStore's, as @action-validator ships it). */
export function validateWorkflowFile(where: string, text: string): Problem[] {
  return validateWorkflow(text).errors.map((error) => ({
    where,
    message: `${'path' in error ? `${error.path}: ` : ''}${error.title}${error.detail ? ` (${error.detail})` : ''}`,
  }));
}
