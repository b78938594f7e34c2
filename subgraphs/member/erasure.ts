import type { ErasureCounts } from '../../lib/erasure.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { AcquiredSkill, Achievement, Enrolment, LearnerAccount, MemberAudit } from './model.js';

/*
 * Erasure of a learner's records at this member (docs/security.md,
 * "Erasure"): the account linked to the alliance learner id - name, e-mail,
 * student number - and every enrolment, achievement and skill shown under it
 * are deleted, in one transaction. Nothing of the person stays; the member's
 * uptake counts simply no longer include them. Credentials issued for these
 * achievements are the issuance service's (they stay verifiable). The audit
 * rows of the learner's applications and cancellations stay (what was done,
 * when) without who and without their contents. Erasing again finds no
 * account and answers zeros.
 */
export async function eraseLearner(em: SqlEntityManager, learnerId: string): Promise<ErasureCounts> {
  return em.transactional(async (tx) => {
    const accounts = await tx.find(LearnerAccount, { allianceLearnerId: learnerId }, { fields: ['id'] });
    const accountIds = accounts.map((account) => account.id);
    const auditAnonymised = await tx.nativeUpdate(MemberAudit, { actorLearnerId: learnerId }, { actorLearnerId: null, actorSubject: 'erased learner', before: null, after: null });
    if (accountIds.length === 0) return { accounts: 0, enrolments: 0, achievements: 0, skills: 0, auditAnonymised };
    const enrolmentIds = (await tx.find(Enrolment, { account: { $in: accountIds } }, { fields: ['id'] })).map((enrolment) => enrolment.id);
    // Staff decisions on the learner's enrolments keep who decided, not what the rows held.
    const decisions = await tx.nativeUpdate(MemberAudit, { entityId: { $in: [...accountIds, ...enrolmentIds] }, $or: [{ before: { $ne: null } }, { after: { $ne: null } }] }, { before: null, after: null });
    const achievements = await tx.find(Achievement, { account: { $in: accountIds } }, { fields: ['id'] });
    const achievementIds = achievements.map((achievement) => achievement.id);
    const skills = achievementIds.length ? await tx.nativeDelete(AcquiredSkill, { achievement: { $in: achievementIds } }) : 0;
    const achievementRows = achievementIds.length ? await tx.nativeDelete(Achievement, { id: { $in: achievementIds } }) : 0;
    const enrolments = await tx.nativeDelete(Enrolment, { account: { $in: accountIds } });
    const accountRows = await tx.nativeDelete(LearnerAccount, { id: { $in: accountIds } });
    return { accounts: accountRows, enrolments, achievements: achievementRows, skills, auditAnonymised: auditAnonymised + decisions };
  });
}
