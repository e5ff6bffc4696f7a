-- Text units naming a parent concept of some class ("cat"), from the hypernym matches of the count stage;
-- `hypernym_terms` says which classes each term is a parent of.
create or replace table hypernym_mentions as
with matched as (
    select doc_id, term
    from hypernym_matches
)

select
    documents.source,
    documents.stage,
    documents.role,
    documents.conversation_id,
    matched.doc_id,
    matched.term
from matched
join text_units as documents using (doc_id)
order by matched.doc_id, matched.term
