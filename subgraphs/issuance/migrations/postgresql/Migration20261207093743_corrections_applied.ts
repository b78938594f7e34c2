import { Migration } from '@mikro-orm/migrations';

export class Migration20261207093743_corrections_applied extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "correction_applied" ("id" serial primary key, "achievement_id" varchar(255) not null, "revision" int not null, "corrected_at" timestamptz not null, "applied_at" timestamptz not null, "suspended" int not null);`);
    this.addSql(`create index "correction_applied_corrected_at_index" on "correction_applied" ("corrected_at");`);
    this.addSql(`alter table "correction_applied" add constraint "correction_applied_achievement_id_revision_unique" unique ("achievement_id", "revision");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "correction_applied" cascade;`);
  }

}
