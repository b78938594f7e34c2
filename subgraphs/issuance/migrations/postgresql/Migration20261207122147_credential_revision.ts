import { Migration } from '@mikro-orm/migrations';

export class Migration20261207122147_credential_revision extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "issued_credential" drop constraint "issued_credential_achievement_id_kind_unique";`);

    this.addSql(`alter table "issued_credential" add column "achievement_revision" int not null default 1;`);
    this.addSql(`alter table "issued_credential" add constraint "issued_credential_achievement_id_kind_achievement_4779e_unique" unique ("achievement_id", "kind", "achievement_revision");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "issued_credential" drop constraint "issued_credential_achievement_id_kind_achievement_4779e_unique";`);
    this.addSql(`alter table "issued_credential" drop column "achievement_revision";`);

    this.addSql(`alter table "issued_credential" add constraint "issued_credential_achievement_id_kind_unique" unique ("achievement_id", "kind");`);
  }

}
