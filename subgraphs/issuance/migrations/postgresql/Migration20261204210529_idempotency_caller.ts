import { Migration } from '@mikro-orm/migrations';

export class Migration20261204210529_idempotency_caller extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "idempotency_record" drop constraint "idempotency_record_subject_key_unique";`);

    // Keys recorded before were scoped to the subject alone; with no caller they match no request
    // again (they lapse), which is what a key replayed under another identity must do.
    this.addSql(`alter table "idempotency_record" add column "caller" varchar(64) not null default '';`);
    this.addSql(`alter table "idempotency_record" alter column "caller" drop default;`);
    this.addSql(`alter table "idempotency_record" add constraint "idempotency_record_caller_key_unique" unique ("caller", "key");`);

    this.addSql(`alter table "issued_credential" add column "basis" varchar(32) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "idempotency_record" drop constraint "idempotency_record_caller_key_unique";`);
    this.addSql(`alter table "idempotency_record" drop column "caller";`);

    this.addSql(`alter table "idempotency_record" add constraint "idempotency_record_subject_key_unique" unique ("subject", "key");`);

    this.addSql(`alter table "issued_credential" drop column "basis";`);
  }

}
