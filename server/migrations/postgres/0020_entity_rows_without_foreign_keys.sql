-- The rows of an entity in search, search_keys and relations are written only with the
-- entity, and deleted by whatever deletes the entity (store::catalog::ENTITY_ROWS): the
-- foreign keys to `entities` only looked the entity up for every row written, half the
-- time of writing it (29 million rows at a million entities). SQLite keeps its own (a
-- table cannot drop one without being rebuilt) and turns them off while applying.
DO $$
DECLARE
    foreign_key record;
BEGIN
    FOR foreign_key IN
        SELECT conrelid::regclass AS owner, conname
        FROM pg_constraint
        WHERE contype = 'f'
          AND confrelid = 'entities'::regclass
          AND conrelid IN ('search'::regclass, 'search_keys'::regclass, 'relations'::regclass)
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', foreign_key.owner, foreign_key.conname);
    END LOOP;
END
$$;
