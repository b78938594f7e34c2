import { Migration } from '@mikro-orm/migrations';

export class Migration20261207041354_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`analytics_audit\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`actor_subject\` text not null, \`actor_roles\` text not null, \`actor_member_id\` text null, \`actor_learner_id\` text null, \`action\` text not null, \`entity_type\` text not null, \`entity_id\` text not null, \`before\` text null, \`after\` text null);`);
    this.addSql(`create index \`analytics_audit_entity_type_entity_id_index\` on \`analytics_audit\` (\`entity_type\`, \`entity_id\`);`);
    this.addSql(`create index \`analytics_audit_actor_learner_id_index\` on \`analytics_audit\` (\`actor_learner_id\`);`);

    this.addSql(`create table \`offering_feedback\` (\`id\` text not null, \`learner_id\` text null, \`enrolment_id\` text not null, \`offering_id\` text not null, \`member_id\` text not null, \`content\` integer not null, \`workload\` integer not null, \`assessment\` integer not null, \`support\` integer not null, \`relevance\` integer not null, \`comment\` text null, \`ects\` double not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`revision\` integer not null, primary key (\`id\`));`);
    this.addSql(`create index \`offering_feedback_offering_id_index\` on \`offering_feedback\` (\`offering_id\`);`);
    this.addSql(`create index \`offering_feedback_member_id_index\` on \`offering_feedback\` (\`member_id\`);`);
    this.addSql(`create unique index \`offering_feedback_learner_id_offering_id_unique\` on \`offering_feedback\` (\`learner_id\`, \`offering_id\`);`);
  }

}
