import { Migration } from '@mikro-orm/migrations';

export class Migration20261123093638_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "esco_broader_relation" ("narrower_uri" varchar(255) not null, "broader_uri" varchar(255) not null, constraint "esco_broader_relation_pkey" primary key ("narrower_uri", "broader_uri"));`);
    this.addSql(`create index "esco_broader_relation_broader_uri_index" on "esco_broader_relation" ("broader_uri");`);

    this.addSql(`create table "esco_dataset" ("id" varchar(16) not null, "version" varchar(32) not null, "imported_at" timestamptz null, constraint "esco_dataset_pkey" primary key ("id"));`);

    this.addSql(`create table "esco_occupation" ("uri" varchar(255) not null, "code" varchar(32) null, "isco_group" varchar(16) null, "preferred_label" text not null, "alt_label_text" text not null default '', "description" text null, "sort_label" text not null, "search_alt_labels" text not null default '', "search_description" text not null default '', constraint "esco_occupation_pkey" primary key ("uri"));`);
    this.addSql(`create index "esco_occupation_sort_label_index" on "esco_occupation" ("sort_label");`);

    this.addSql(`create table "esco_occupation_skill" ("occupation_uri" varchar(255) not null, "skill_uri" varchar(255) not null, "relation_type" varchar(16) not null, constraint "esco_occupation_skill_pkey" primary key ("occupation_uri", "skill_uri"));`);
    this.addSql(`create index "esco_occupation_skill_skill_uri_index" on "esco_occupation_skill" ("skill_uri");`);

    this.addSql(`create table "esco_skill" ("uri" varchar(255) not null, "preferred_label" text not null, "alt_label_text" text not null default '', "description" text null, "skill_type" varchar(32) null, "reuse_level" varchar(32) null, "sort_label" text not null, "search_alt_labels" text not null default '', "search_description" text not null default '', constraint "esco_skill_pkey" primary key ("uri"));`);
    this.addSql(`create index "esco_skill_sort_label_index" on "esco_skill" ("sort_label");`);

    this.addSql(`create table "esco_skill_collection" ("skill_uri" varchar(255) not null, "collection" varchar(16) not null, constraint "esco_skill_collection_pkey" primary key ("skill_uri", "collection"));`);
    this.addSql(`create index "esco_skill_collection_collection_index" on "esco_skill_collection" ("collection");`);

    this.addSql(`create table "esco_skill_group" ("uri" varchar(255) not null, "code" varchar(32) null, "preferred_label" text not null, "description" text null, "sort_label" text not null, constraint "esco_skill_group_pkey" primary key ("uri"));`);
    this.addSql(`create index "esco_skill_group_sort_label_index" on "esco_skill_group" ("sort_label");`);

    this.addSql(`create table "esco_skill_relation" ("skill_uri" varchar(255) not null, "related_skill_uri" varchar(255) not null, "relation_type" varchar(16) not null, constraint "esco_skill_relation_pkey" primary key ("skill_uri", "related_skill_uri"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "esco_broader_relation" cascade;`);

    this.addSql(`drop table if exists "esco_dataset" cascade;`);

    this.addSql(`drop table if exists "esco_occupation" cascade;`);

    this.addSql(`drop table if exists "esco_occupation_skill" cascade;`);

    this.addSql(`drop table if exists "esco_skill" cascade;`);

    this.addSql(`drop table if exists "esco_skill_collection" cascade;`);

    this.addSql(`drop table if exists "esco_skill_group" cascade;`);

    this.addSql(`drop table if exists "esco_skill_relation" cascade;`);
  }

}
