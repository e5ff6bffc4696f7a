-- Text units naming a parent concept of some class ("cat"), from the hypernym matches of the count stage;
-- `hypernym_terms` says which classes each term is a parent of.
create or replace table hypernym_mentions as
select source, stage, role, conversation_id, doc_id, term
from hypernym_matches
order by doc_id, term
