import { Migration } from '@mikro-orm/migrations';

export class Migration20261205130733_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "recognition_audit" ("id" serial primary key, "at" timestamptz not null, "actor_subject" varchar(255) not null, "actor_roles" varchar(200) not null, "actor_member_id" varchar(253) null, "actor_learner_id" varchar(64) null, "action" varchar(64) not null, "entity_type" varchar(32) not null, "entity_id" varchar(255) not null, "before" text null, "after" text null);`);
    this.addSql(`create index "recognition_audit_entity_type_entity_id_index" on "recognition_audit" ("entity_type", "entity_id");`);
    this.addSql(`create index "recognition_audit_actor_learner_id_index" on "recognition_audit" ("actor_learner_id");`);

    this.addSql(`create table "recognition_event" ("id" serial primary key, "request_id" varchar(36) not null, "action" varchar(32) not null, "from_state" varchar(32) null, "to_state" varchar(32) not null, "at" timestamptz not null, "actor_subject" varchar(255) not null, "actor_role" varchar(32) not null, "actor_member_id" varchar(253) null, "message" text null, "outcome" varchar(32) null, "ects_recognised" double precision null, "converted_grade" varchar(64) null, "grading_scheme" varchar(200) null, "counts_as" varchar(500) null, "rejection_reason" varchar(64) null, "rule_id" varchar(36) null, "rule_version" int null);`);
    this.addSql(`create index "recognition_event_request_id_id_index" on "recognition_event" ("request_id", "id");`);

    this.addSql(`create table "recognition_evidence" ("id" serial primary key, "request_id" varchar(36) not null, "position" int not null, "kind" varchar(32) not null, "reference" varchar(500) null, "achievement_id" varchar(255) null, "title" varchar(500) not null, "issuer_member_id" varchar(253) null, "issuer_name" varchar(500) not null, "issuer_authority" varchar(32) null, "ects" double precision null, "eqf_level" int null, "passed" boolean null, "assessed_on" varchar(10) null, "grade" varchar(64) null, "grading_scheme" varchar(500) null, "opportunity_kind" varchar(32) null, "micro_credential_type" varchar(32) null, "credit_bearing" boolean null, "external_accreditation" text null, "skill_list" text null, "verification" text null, "document" text null, "reflection" text null, "link_list" text null, "added_at" timestamptz not null);`);
    this.addSql(`create index "recognition_evidence_request_id_position_index" on "recognition_evidence" ("request_id", "position");`);
    this.addSql(`create index "recognition_evidence_reference_index" on "recognition_evidence" ("reference");`);

    this.addSql(`create table "recognition_idempotency" ("id" serial primary key, "caller" varchar(64) not null, "subject" varchar(255) not null, "key" varchar(255) not null, "operation" varchar(64) not null, "fingerprint" varchar(64) not null, "result_id" varchar(255) not null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "recognition_idempotency" add constraint "recognition_idempotency_caller_key_unique" unique ("caller", "key");`);

    this.addSql(`create table "recognition_request" ("id" varchar(36) not null, "learner_id" varchar(64) not null, "member_id" varchar(253) not null, "target_kind" varchar(16) not null, "offering_id" varchar(255) null, "target_title" varchar(500) not null, "target_ects" double precision not null, "target_eqf_level" int null, "target_isced_f" varchar(8) null, "ects_requested" double precision not null, "evidence_ects" double precision not null, "statement" text null, "state" varchar(32) not null, "appealed" boolean not null, "submitted_at" timestamptz not null, "updated_at" timestamptz not null, "decided_at" timestamptz null, "ects_recognised" double precision null, "counts_as" varchar(500) null, "rule_id" varchar(36) null, "consented_at" timestamptz not null, constraint "recognition_request_pkey" primary key ("id"));`);
    this.addSql(`create index "recognition_request_learner_id_submitted_at_index" on "recognition_request" ("learner_id", "submitted_at");`);
    this.addSql(`create index "recognition_request_member_id_state_submitted_at_index" on "recognition_request" ("member_id", "state", "submitted_at");`);
    this.addSql(`create index "recognition_request_rule_id_learner_id_index" on "recognition_request" ("rule_id", "learner_id");`);

    this.addSql(`create table "recognition_rule" ("id" varchar(36) not null, "member_id" varchar(253) not null, "name" varchar(200) not null, "description" text null, "active" boolean not null, "version" int not null, "scope" varchar(16) not null, "offering_list" text null, "authority_list" varchar(200) null, "issuer_list" text null, "eqf_min" int null, "require_passed" boolean not null, "kind_list" varchar(100) null, "type_list" varchar(100) null, "ects_cap_per_year" double precision null, "counts_as" varchar(500) not null, "created_at" timestamptz not null, "created_by" varchar(255) not null, "updated_at" timestamptz not null, "updated_by" varchar(255) not null, constraint "recognition_rule_pkey" primary key ("id"));`);
    this.addSql(`create index "recognition_rule_member_id_active_index" on "recognition_rule" ("member_id", "active");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "recognition_audit" cascade;`);

    this.addSql(`drop table if exists "recognition_event" cascade;`);

    this.addSql(`drop table if exists "recognition_evidence" cascade;`);

    this.addSql(`drop table if exists "recognition_idempotency" cascade;`);

    this.addSql(`drop table if exists "recognition_request" cascade;`);

    this.addSql(`drop table if exists "recognition_rule" cascade;`);
  }

}
