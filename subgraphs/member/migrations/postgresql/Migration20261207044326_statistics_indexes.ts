import { Migration } from '@mikro-orm/migrations';

export class Migration20261207044326_statistics_indexes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "enrolment_opportunity_id_status_index" on "enrolment" ("opportunity_id", "status");`);

    this.addSql(`create index "achievement_opportunity_id_passed_ects_awarded_index" on "achievement" ("opportunity_id", "passed", "ects_awarded");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "achievement_opportunity_id_passed_ects_awarded_index";`);

    this.addSql(`drop index "enrolment_opportunity_id_status_index";`);
  }

}
