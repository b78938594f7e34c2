import { Migration } from '@mikro-orm/migrations';

export class Migration20261123093026_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "learner" ("id" varchar(64) not null, "created_at" timestamptz not null, constraint "learner_pkey" primary key ("id"));`);

    this.addSql(`create table "learner_account_link" ("id" serial primary key, "learner_id" varchar(64) not null, "member_id" varchar(253) not null, "account_id" varchar(255) not null, "linked_at" timestamptz not null);`);
    this.addSql(`alter table "learner_account_link" add constraint "learner_account_link_account_id_unique" unique ("account_id");`);
    this.addSql(`alter table "learner_account_link" add constraint "learner_account_link_learner_id_member_id_unique" unique ("learner_id", "member_id");`);

    this.addSql(`alter table "learner_account_link" add constraint "learner_account_link_learner_id_foreign" foreign key ("learner_id") references "learner" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "learner_account_link" drop constraint "learner_account_link_learner_id_foreign";`);

    this.addSql(`drop table if exists "learner" cascade;`);

    this.addSql(`drop table if exists "learner_account_link" cascade;`);
  }

}
