-- No query looks relations up by their target: graph walks and the relation keys read
-- the relations whole, in memory. The index cost a copy of every target ref (7.4
-- million at a million entities) and its build on every large load.
DROP INDEX relations_target;
