-- One row per mention of a class by a counted term: where it occurred, and the term's ambiguity.
create or replace table mentions as
with matched as (
    select doc_id, start, n_tokens, term
    from read_parquet($mention_files)
),

class_terms as (
    select class_id, term, flagged, n_classes
    from lexicon
    where status = 'counted'
)

select
    documents.source,
    documents.stage,
    documents.role,
    documents.conversation_id,
    matched.doc_id,
    matched.start,
    matched.n_tokens,
    matched.term,
    class_terms.class_id,
    class_terms.flagged,
    class_terms.n_classes
from matched
join class_terms using (term)
join text_units as documents using (doc_id)
order by matched.doc_id, matched.start, class_terms.class_id
