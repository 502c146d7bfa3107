// Organization plans, lowest first. API access starts at `professional` (openapi.yaml,
// "Authentication": `403 plan_upgrade_required` below it).
export const PLANS = ['free', 'starter', 'professional', 'business', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

export const LOWEST_PLAN_WITH_API_ACCESS: Plan = 'professional';

export function isPlan(value: string): value is Plan {
  return (PLANS as readonly string[]).includes(value);
}

export function planIncludesApiAccess(plan: string): boolean {
  return isPlan(plan) && PLANS.indexOf(plan) >= PLANS.indexOf(LOWEST_PLAN_WITH_API_ACCESS);
}
