import { z } from 'zod';

export const ROLES = ['officer', 'supervisor', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** Lowercase letters, digits, dots, dashes and underscores: what a police login looks like. */
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, '3 to 40 characters: letters, digits, . _ -');

/** Long enough to resist guessing; an officer's password protects children's data. */
export const passwordSchema = z.string().min(12, 'at least 12 characters').max(200);

/** An officer as the rest of the application sees them (never the password hash). */
export interface Officer {
  username: string;
  role: Role;
  region: string;
}

/**
 * Whether an officer may see and act on a case of that region: admins
 * everywhere, others at home; a case no region claims (`null`, the national
 * queue) is for every supervisor and admin, until one of them sets its region.
 */
export function canAccessRegion(officer: Officer, region: string | null): boolean {
  if (officer.role === 'admin') return true;
  return region === null ? officer.role === 'supervisor' : officer.region === region;
}

/** Supervisors and admins may reassign cases and read audit trails. */
export const isSupervisor = (officer: Officer): boolean => officer.role !== 'officer';
