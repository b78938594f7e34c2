/**
 * The outcomes a recognition request is counted under: decided ones by their
 * decision (APPEALED: decided, then appealed), the rest as open or withdrawn.
 * Shared by the recognition service, which counts them, and the analytics
 * service, which publishes them as table columns.
 */
export const RECOGNITION_OUTCOMES = ['RECOGNISED', 'PARTIALLY_RECOGNISED', 'REJECTED', 'APPEALED', 'OPEN', 'WITHDRAWN'] as const;

/** The outcome a request in `state` counts as. */
export const recognitionOutcomeOf = (state: string): string => (state === 'SUBMITTED' || state === 'MORE_INFORMATION_NEEDED' ? 'OPEN' : state);
