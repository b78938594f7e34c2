import { memberProfile } from '../../hub/alliance.js';
import { generateCatalogues, generateLearner, type DemoAchievement, type DemoOffering } from '../../hub/demo.js';
import { TEST_LEARNERS } from '../helpers/hub.js';

/*
 * The passed achievements of the test hub's demo learners, with their learner
 * and offering, from the same generator that seeds the hub: tests pick the
 * achievement whose facts they need (a member's authority level, credit).
 */

export const catalogues = generateCatalogues();
const offerings = new Map([...catalogues.values()].flat().map((offering) => [offering.id, offering] as const));
export const everyone = Array.from({ length: TEST_LEARNERS }, (_, i) => generateLearner(i, catalogues));

export interface PassedAchievement {
  learnerId: string;
  memberId: string;
  achievement: DemoAchievement;
  offering: DemoOffering;
}

export const passed: PassedAchievement[] = everyone.flatMap((learner) =>
  learner.accounts.flatMap((account) =>
    account.enrolments.flatMap((enrolment) =>
      enrolment.achievement?.passed
        ? [{ learnerId: learner.id, memberId: account.memberId, achievement: enrolment.achievement, offering: offerings.get(enrolment.opportunityId) as DemoOffering }]
        : [],
    ),
  ),
);

export const authorityOf = (memberId: string) => memberProfile(memberId)?.accreditationAuthority;

/** Every passed achievement that fits, in a fixed order (tests take different ones so they do not share credentials). */
export const all = (predicate: (item: PassedAchievement) => boolean): PassedAchievement[] => passed.filter(predicate);
