import { Migration } from '@mikro-orm/migrations';

export class Migration20261205142554_erasure extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "erasure_request" ("id" varchar(36) not null, "learner_hash" varchar(64) not null, "requested_at" timestamptz not null, "revoke_credentials" boolean not null, "register_counts" text not null, "completed_at" timestamptz null, "caller_scope" varchar(64) null, "idempotency_key" varchar(255) null, constraint "erasure_request_pkey" primary key ("id"));`);
    this.addSql(`create index "erasure_request_learner_hash_index" on "erasure_request" ("learner_hash");`);
    this.addSql(`alter table "erasure_request" add constraint "erasure_request_caller_scope_idempotency_key_unique" unique ("caller_scope", "idempotency_key");`);

    this.addSql(`create table "erasure_task" ("id" serial primary key, "erasure_id" varchar(36) not null, "target" varchar(270) not null, "audience" varchar(253) not null, "learner_id" varchar(64) null, "revoke_credentials" boolean not null, "status" varchar(16) not null, "attempts" int not null, "next_attempt_at" timestamptz not null, "last_attempt_at" timestamptz null, "last_error" varchar(500) null, "counts" text null, "done_at" timestamptz null);`);
    this.addSql(`create index "erasure_task_status_next_attempt_at_index" on "erasure_task" ("status", "next_attempt_at");`);
    this.addSql(`create index "erasure_task_erasure_id_index" on "erasure_task" ("erasure_id");`);
    this.addSql(`alter table "erasure_task" add constraint "erasure_task_erasure_id_target_unique" unique ("erasure_id", "target");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "erasure_request" cascade;`);

    this.addSql(`drop table if exists "erasure_task" cascade;`);
  }

}
