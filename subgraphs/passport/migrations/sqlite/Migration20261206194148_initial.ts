import { Migration } from '@mikro-orm/migrations';

export class Migration20261206194148_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`passport_audit\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`actor_subject\` text not null, \`actor_roles\` text not null, \`actor_member_id\` text null, \`actor_learner_id\` text null, \`action\` text not null, \`entity_type\` text not null, \`entity_id\` text not null, \`before\` text null, \`after\` text null);`);
    this.addSql(`create index \`passport_audit_entity_type_entity_id_index\` on \`passport_audit\` (\`entity_type\`, \`entity_id\`);`);
    this.addSql(`create index \`passport_audit_actor_learner_id_index\` on \`passport_audit\` (\`actor_learner_id\`);`);

    this.addSql(`create table \`passport_credential\` (\`id\` text not null, \`learner_id\` text not null, \`format\` text not null, \`document\` text not null, \`digest\` text not null, \`credential_id\` text null, \`issuer_id\` text null, \`title\` text not null, \`awarding_body\` text not null, \`ects\` double not null, \`eqf_level\` integer null, \`gained_on\` text not null, \`skill_list\` text not null, \`added_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`passport_credential_learner_id_added_at_index\` on \`passport_credential\` (\`learner_id\`, \`added_at\`);`);
    this.addSql(`create unique index \`passport_credential_learner_id_digest_unique\` on \`passport_credential\` (\`learner_id\`, \`digest\`);`);

    this.addSql(`create table \`passport_idempotency\` (\`id\` integer not null primary key autoincrement, \`caller\` text not null, \`subject\` text not null, \`key\` text not null, \`operation\` text not null, \`fingerprint\` text not null, \`result_id\` text not null, \`created_at\` datetime not null);`);
    this.addSql(`create unique index \`passport_idempotency_caller_key_unique\` on \`passport_idempotency\` (\`caller\`, \`key\`);`);
  }

}
