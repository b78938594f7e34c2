import { Migration } from '@mikro-orm/migrations';

export class Migration20261207033636_enrolment_applications extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`member_audit\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`actor_subject\` text not null, \`actor_roles\` text not null, \`actor_member_id\` text null, \`actor_learner_id\` text null, \`action\` text not null, \`entity_type\` text not null, \`entity_id\` text not null, \`before\` text null, \`after\` text null);`);
    this.addSql(`create index \`member_audit_entity_type_entity_id_index\` on \`member_audit\` (\`entity_type\`, \`entity_id\`);`);
    this.addSql(`create index \`member_audit_actor_learner_id_index\` on \`member_audit\` (\`actor_learner_id\`);`);

    this.addSql(`alter table \`enrolment\` add column \`language\` text null;`);
    this.addSql(`alter table \`enrolment\` add column \`prerequisites_declared\` integer not null default false;`);
    this.addSql(`alter table \`enrolment\` add column \`status_reason_code\` text null;`);
    this.addSql(`alter table \`enrolment\` add column \`status_note\` text null;`);
  }

}
