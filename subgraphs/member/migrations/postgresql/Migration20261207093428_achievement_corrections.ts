import { Migration } from '@mikro-orm/migrations';

export class Migration20261207093428_achievement_corrections extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "achievement_correction" ("id" serial primary key, "achievement_id" varchar(255) not null, "revision" int not null, "corrected_at" timestamptz not null, "corrected_by" varchar(255) not null);`);
    this.addSql(`create index "achievement_correction_achievement_id_index" on "achievement_correction" ("achievement_id");`);
    this.addSql(`create index "achievement_correction_corrected_at_index" on "achievement_correction" ("corrected_at");`);

    this.addSql(`alter table "achievement" add column "revision" int not null default 1;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "achievement_correction" cascade;`);

    this.addSql(`alter table "achievement" drop column "revision";`);
  }

}
