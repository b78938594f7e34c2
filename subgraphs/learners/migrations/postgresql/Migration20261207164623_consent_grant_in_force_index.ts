import { Migration } from '@mikro-orm/migrations';

export class Migration20261207164623_consent_grant_in_force_index extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "consent_grant_in_force_index" on "consent_grant" ("learner_id", "revoked_at", "expires_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "consent_grant_in_force_index";`);
  }

}
