import { Migration } from '@mikro-orm/migrations';

export class Migration20261204210528_idempotency_caller extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index \`idempotency_record_subject_key_unique\`;`);

    // Keys recorded before were scoped to the subject alone; with no caller they match no request
    // again (they lapse), which is what a key replayed under another identity must do.
    this.addSql(`alter table \`idempotency_record\` add column \`caller\` text not null default '';`);
    this.addSql(`create unique index \`idempotency_record_caller_key_unique\` on \`idempotency_record\` (\`caller\`, \`key\`);`);

    this.addSql(`alter table \`issued_credential\` add column \`basis\` text null;`);
  }

}
