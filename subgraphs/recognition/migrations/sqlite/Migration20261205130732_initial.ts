import { Migration } from '@mikro-orm/migrations';

export class Migration20261205130732_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`recognition_audit\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`actor_subject\` text not null, \`actor_roles\` text not null, \`actor_member_id\` text null, \`actor_learner_id\` text null, \`action\` text not null, \`entity_type\` text not null, \`entity_id\` text not null, \`before\` text null, \`after\` text null);`);
    this.addSql(`create index \`recognition_audit_entity_type_entity_id_index\` on \`recognition_audit\` (\`entity_type\`, \`entity_id\`);`);
    this.addSql(`create index \`recognition_audit_actor_learner_id_index\` on \`recognition_audit\` (\`actor_learner_id\`);`);

    this.addSql(`create table \`recognition_event\` (\`id\` integer not null primary key autoincrement, \`request_id\` text not null, \`action\` text not null, \`from_state\` text null, \`to_state\` text not null, \`at\` datetime not null, \`actor_subject\` text not null, \`actor_role\` text not null, \`actor_member_id\` text null, \`message\` text null, \`outcome\` text null, \`ects_recognised\` double null, \`converted_grade\` text null, \`grading_scheme\` text null, \`counts_as\` text null, \`rejection_reason\` text null, \`rule_id\` text null, \`rule_version\` integer null);`);
    this.addSql(`create index \`recognition_event_request_id_id_index\` on \`recognition_event\` (\`request_id\`, \`id\`);`);

    this.addSql(`create table \`recognition_evidence\` (\`id\` integer not null primary key autoincrement, \`request_id\` text not null, \`position\` integer not null, \`kind\` text not null, \`reference\` text null, \`achievement_id\` text null, \`title\` text not null, \`issuer_member_id\` text null, \`issuer_name\` text not null, \`issuer_authority\` text null, \`ects\` double null, \`eqf_level\` integer null, \`passed\` integer null, \`assessed_on\` text null, \`grade\` text null, \`grading_scheme\` text null, \`opportunity_kind\` text null, \`micro_credential_type\` text null, \`credit_bearing\` integer null, \`external_accreditation\` text null, \`skill_list\` text null, \`verification\` text null, \`document\` text null, \`reflection\` text null, \`link_list\` text null, \`added_at\` datetime not null);`);
    this.addSql(`create index \`recognition_evidence_request_id_position_index\` on \`recognition_evidence\` (\`request_id\`, \`position\`);`);
    this.addSql(`create index \`recognition_evidence_reference_index\` on \`recognition_evidence\` (\`reference\`);`);

    this.addSql(`create table \`recognition_idempotency\` (\`id\` integer not null primary key autoincrement, \`caller\` text not null, \`subject\` text not null, \`key\` text not null, \`operation\` text not null, \`fingerprint\` text not null, \`result_id\` text not null, \`created_at\` datetime not null);`);
    this.addSql(`create unique index \`recognition_idempotency_caller_key_unique\` on \`recognition_idempotency\` (\`caller\`, \`key\`);`);

    this.addSql(`create table \`recognition_request\` (\`id\` text not null, \`learner_id\` text not null, \`member_id\` text not null, \`target_kind\` text not null, \`offering_id\` text null, \`target_title\` text not null, \`target_ects\` double not null, \`target_eqf_level\` integer null, \`target_isced_f\` text null, \`ects_requested\` double not null, \`evidence_ects\` double not null, \`statement\` text null, \`state\` text not null, \`appealed\` integer not null, \`submitted_at\` datetime not null, \`updated_at\` datetime not null, \`decided_at\` datetime null, \`ects_recognised\` double null, \`counts_as\` text null, \`rule_id\` text null, \`consented_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`recognition_request_learner_id_submitted_at_index\` on \`recognition_request\` (\`learner_id\`, \`submitted_at\`);`);
    this.addSql(`create index \`recognition_request_member_id_state_submitted_at_index\` on \`recognition_request\` (\`member_id\`, \`state\`, \`submitted_at\`);`);
    this.addSql(`create index \`recognition_request_rule_id_learner_id_index\` on \`recognition_request\` (\`rule_id\`, \`learner_id\`);`);

    this.addSql(`create table \`recognition_rule\` (\`id\` text not null, \`member_id\` text not null, \`name\` text not null, \`description\` text null, \`active\` integer not null, \`version\` integer not null, \`scope\` text not null, \`offering_list\` text null, \`authority_list\` text null, \`issuer_list\` text null, \`eqf_min\` integer null, \`require_passed\` integer not null, \`kind_list\` text null, \`type_list\` text null, \`ects_cap_per_year\` double null, \`counts_as\` text not null, \`created_at\` datetime not null, \`created_by\` text not null, \`updated_at\` datetime not null, \`updated_by\` text not null, primary key (\`id\`));`);
    this.addSql(`create index \`recognition_rule_member_id_active_index\` on \`recognition_rule\` (\`member_id\`, \`active\`);`);
  }

}
