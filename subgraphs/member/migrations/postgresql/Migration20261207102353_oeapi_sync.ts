import { Migration } from '@mikro-orm/migrations';

export class Migration20261207102353_oeapi_sync extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "sync_checkpoint" ("id" serial primary key, "run_id" varchar(36) not null, "resource" varchar(32) not null, "page" int not null, "done" boolean not null default false, "counts" text not null, "at" timestamptz not null);`);
    this.addSql(`create index "sync_checkpoint_run_id_index" on "sync_checkpoint" ("run_id");`);

    this.addSql(`create table "sync_held" ("id" serial primary key, "kind" varchar(16) not null, "source_id" varchar(255) not null, "parent_id" varchar(255) null, "hub_id" varchar(255) null, "problems" text not null, "run_id" varchar(36) not null, "first_held_at" timestamptz not null, "last_held_at" timestamptz not null);`);
    this.addSql(`alter table "sync_held" add constraint "sync_held_kind_source_id_unique" unique ("kind", "source_id");`);

    this.addSql(`create table "sync_lock" ("name" varchar(32) not null, "run_id" varchar(36) not null, "host" varchar(255) not null, "pid" int not null, "acquired_at" timestamptz not null, "heartbeat_at" timestamptz not null, "version" int not null default 0, constraint "sync_lock_pkey" primary key ("name"));`);

    this.addSql(`create table "sync_record" ("id" serial primary key, "kind" varchar(16) not null, "source_id" varchar(255) not null, "hub_id" varchar(255) null, "parent_id" varchar(255) null, "facts" text null, "last_seen_run" varchar(36) not null, "seen_at" timestamptz not null, "missing_since" timestamptz null, "withdrawn_by_sync" boolean not null default false, "associations_complete" boolean not null default false);`);
    this.addSql(`create index "sync_record_kind_parent_id_index" on "sync_record" ("kind", "parent_id");`);
    this.addSql(`alter table "sync_record" add constraint "sync_record_kind_source_id_unique" unique ("kind", "source_id");`);

    this.addSql(`create table "sync_run" ("id" varchar(36) not null, "source" varchar(32) not null, "member_id" varchar(253) not null, "mode" varchar(16) not null, "status" varchar(16) not null, "started_at" timestamptz not null, "finished_at" timestamptz null, "resource" varchar(32) null, "pages" int not null default 0, "watermark" timestamptz null, "server_started_at" timestamptz null, "next_watermark" timestamptz null, "config_digest" varchar(64) not null, "counts" text not null, "held_back" int not null default 0, "error" text null, "resumed_from" varchar(36) null, "resumed_by" varchar(36) null, "host" varchar(255) not null, "pid" int not null, constraint "sync_run_pkey" primary key ("id"));`);
    this.addSql(`create index "sync_run_source_started_at_index" on "sync_run" ("source", "started_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "sync_checkpoint" cascade;`);

    this.addSql(`drop table if exists "sync_held" cascade;`);

    this.addSql(`drop table if exists "sync_lock" cascade;`);

    this.addSql(`drop table if exists "sync_record" cascade;`);

    this.addSql(`drop table if exists "sync_run" cascade;`);
  }

}
