import { Migration } from '@mikro-orm/migrations';

export class Migration20261206144029_pathways extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "pathway" ("id" varchar(36) not null, "owner_member_id" varchar(253) null, "name" varchar(200) not null, "description" text null, "active" boolean not null, "version" int not null, "ects_min" double precision not null, "ects_max" double precision null, "eqf_level" int null, "min_members" int not null, "sdg_list" varchar(100) null, "member_list" text null, "kind_list" varchar(100) null, "valid_from" varchar(10) null, "valid_until" varchar(10) null, "requirements" text not null, "created_at" timestamptz not null, "created_by" varchar(255) not null, "updated_at" timestamptz not null, "updated_by" varchar(255) not null, constraint "pathway_pkey" primary key ("id"));`);
    this.addSql(`create index "pathway_owner_member_id_active_index" on "pathway" ("owner_member_id", "active");`);

    this.addSql(`create table "pathway_follow" ("id" serial primary key, "learner_id" varchar(64) not null, "pathway_id" varchar(36) not null, "followed_at" timestamptz not null);`);
    this.addSql(`alter table "pathway_follow" add constraint "pathway_follow_learner_id_pathway_id_unique" unique ("learner_id", "pathway_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "pathway" cascade;`);

    this.addSql(`drop table if exists "pathway_follow" cascade;`);
  }

}
