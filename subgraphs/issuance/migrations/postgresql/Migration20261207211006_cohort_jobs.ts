import { Migration } from '@mikro-orm/migrations';

export class Migration20261207211006_cohort_jobs extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "cohort_job" ("id" varchar(36) not null, "offering_id" varchar(255) not null, "member_id" varchar(253) not null, "kind" varchar(32) not null, "status" varchar(16) not null, "total" int null, "issued" int not null, "already_issued" int not null, "refused" int not null, "problems" text not null, "requested_by" varchar(255) not null, "started_at" timestamptz not null, "finished_at" timestamptz null, "failure" varchar(500) null, "cursor" text null, "lease_owner" varchar(128) null, "lease_expires_at" timestamptz null, "running_key" varchar(300) null, "attempts" int not null, "resumed_at" timestamptz null, constraint "cohort_job_pkey" primary key ("id"));`);
    this.addSql(`create index "cohort_job_status_index" on "cohort_job" ("status");`);
    this.addSql(`create index "cohort_job_finished_at_index" on "cohort_job" ("finished_at");`);
    this.addSql(`alter table "cohort_job" add constraint "cohort_job_running_key_unique" unique ("running_key");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "cohort_job" cascade;`);
  }

}
