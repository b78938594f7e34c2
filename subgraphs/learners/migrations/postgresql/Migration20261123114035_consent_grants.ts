import { Migration } from '@mikro-orm/migrations';

export class Migration20261123114035_consent_grants extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "consent_grant" ("id" varchar(36) not null, "learner_id" varchar(64) not null, "grantee_kind" varchar(16) not null, "grantee_member_id" varchar(253) null, "verifier_name" varchar(200) null, "verifier_id" varchar(500) null, "purpose" varchar(32) not null, "purpose_description" varchar(500) null, "scope_list" varchar(64) not null, "source_member_list" text null, "granted_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "revocation_reason" varchar(500) null, constraint "consent_grant_pkey" primary key ("id"));`);
    this.addSql(`create index "consent_grant_learner_id_grantee_member_id_index" on "consent_grant" ("learner_id", "grantee_member_id");`);

    this.addSql(`alter table "consent_grant" add constraint "consent_grant_learner_id_foreign" foreign key ("learner_id") references "learner" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "consent_grant" cascade;`);
  }

}
