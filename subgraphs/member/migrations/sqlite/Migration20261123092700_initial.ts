import { Migration } from '@mikro-orm/migrations';

export class Migration20261123092700_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`institution\` (\`id\` text not null, \`name\` text not null, \`short_name\` text null, \`country\` text not null, \`associate\` integer not null default false, \`accreditation_authority\` text not null, \`qa_body\` text not null, \`qa_arrangement\` text not null, \`website\` text null, primary key (\`id\`));`);

    this.addSql(`create table \`learner_account\` (\`id\` text not null, \`alliance_learner_id\` text null, \`student_number\` text null, \`given_name\` text not null, \`family_name\` text not null, \`email\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`learner_account_alliance_learner_id_unique\` on \`learner_account\` (\`alliance_learner_id\`);`);

    this.addSql(`create table \`learning_opportunity\` (\`id\` text not null, \`code\` text null, \`title\` text not null, \`sort_title\` text not null, \`search_text\` text not null, \`description\` text null, \`kind\` text not null, \`micro_credential_type\` text not null, \`ects\` double not null, \`workload_hours\` integer not null, \`eqf_level\` integer not null, \`isced_f\` text null, \`assessment_type\` text not null, \`mode\` text not null, \`learning_setting\` text not null, \`quality_assurance\` text not null, \`prerequisites\` text null, \`supervision\` text null, \`stackability\` text not null, \`stackable_towards\` text null, \`sdg_list\` text not null default '', \`language_list\` text not null default 'en', \`start_date\` text null, \`end_date\` text null, \`enrolment_deadline\` text null, \`capacity\` integer null, \`credit_bearing\` integer not null, \`more_information_url\` text null, \`accreditation_reference\` text null, \`accreditation_body\` text null, \`accreditation_decided_on\` text null, \`accreditation_valid_until\` text null, \`accreditation_url\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`learning_opportunity_sort_title_index\` on \`learning_opportunity\` (\`sort_title\`);`);
    this.addSql(`create index \`learning_opportunity_start_date_index\` on \`learning_opportunity\` (\`start_date\`);`);

    this.addSql(`create table \`enrolment\` (\`id\` text not null, \`account_id\` text not null, \`opportunity_id\` text not null, \`status\` text not null, \`enrolled_at\` datetime not null, \`status_changed_at\` datetime not null, constraint \`enrolment_account_id_foreign\` foreign key(\`account_id\`) references \`learner_account\`(\`id\`) on update cascade, constraint \`enrolment_opportunity_id_foreign\` foreign key(\`opportunity_id\`) references \`learning_opportunity\`(\`id\`) on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`enrolment_account_id_index\` on \`enrolment\` (\`account_id\`);`);
    this.addSql(`create index \`enrolment_opportunity_id_index\` on \`enrolment\` (\`opportunity_id\`);`);

    this.addSql(`create table \`achievement\` (\`id\` text not null, \`account_id\` text not null, \`opportunity_id\` text not null, \`enrolment_id\` text null, \`assessed_on\` text not null, \`grade\` text null, \`grading_scheme_code\` text not null, \`passed\` integer not null, \`ects_awarded\` double not null, \`supervision\` text null, constraint \`achievement_account_id_foreign\` foreign key(\`account_id\`) references \`learner_account\`(\`id\`) on update cascade, constraint \`achievement_opportunity_id_foreign\` foreign key(\`opportunity_id\`) references \`learning_opportunity\`(\`id\`) on update cascade, constraint \`achievement_enrolment_id_foreign\` foreign key(\`enrolment_id\`) references \`enrolment\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`achievement_account_id_index\` on \`achievement\` (\`account_id\`);`);
    this.addSql(`create index \`achievement_opportunity_id_index\` on \`achievement\` (\`opportunity_id\`);`);
    this.addSql(`create unique index \`achievement_enrolment_id_unique\` on \`achievement\` (\`enrolment_id\`);`);

    this.addSql(`create table \`acquired_skill\` (\`id\` integer not null primary key autoincrement, \`achievement_id\` text not null, \`skill_uri\` text not null, \`level\` text not null, constraint \`acquired_skill_achievement_id_foreign\` foreign key(\`achievement_id\`) references \`achievement\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`acquired_skill_achievement_id_index\` on \`acquired_skill\` (\`achievement_id\`);`);
    this.addSql(`create unique index \`acquired_skill_achievement_id_skill_uri_unique\` on \`acquired_skill\` (\`achievement_id\`, \`skill_uri\`);`);

    this.addSql(`create table \`learning_outcome\` (\`id\` integer not null primary key autoincrement, \`opportunity_id\` text not null, \`position\` integer not null, \`description\` text not null, \`skill_uri\` text not null, \`expected_proficiency\` text not null, constraint \`learning_outcome_opportunity_id_foreign\` foreign key(\`opportunity_id\`) references \`learning_opportunity\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`learning_outcome_opportunity_id_index\` on \`learning_outcome\` (\`opportunity_id\`);`);
    this.addSql(`create unique index \`learning_outcome_opportunity_id_position_unique\` on \`learning_outcome\` (\`opportunity_id\`, \`position\`);`);
  }

}
