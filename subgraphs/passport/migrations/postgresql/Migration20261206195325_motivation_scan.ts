import { Migration } from '@mikro-orm/migrations';

export class Migration20261206195325_motivation_scan extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "motivation_scan" ("learner_id" varchar(64) not null, "questionnaire_version" int not null, "answers" text not null, "revision" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "motivation_scan_pkey" primary key ("learner_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "motivation_scan" cascade;`);
  }

}
