-- Matches of curated exclusions and blocking compounds: found in the text, counted for no class.
-- `class_id` is the class the term would have counted for without the curation.
create or replace table uncounted_mentions as
with matched as (
    select source, stage, role, conversation_id, doc_id, start, n_tokens, term
    from read_parquet($mention_files)
),

curated_terms as (
    select class_id, term, status, reason
    from lexicon
    where status in ('excluded', 'blocked')
)

select
    matched.source,
    matched.stage,
    matched.role,
    matched.conversation_id,
    matched.doc_id,
    matched.start,
    matched.n_tokens,
    matched.term,
    curated_terms.class_id,
    curated_terms.status,
    curated_terms.reason
from matched
join curated_terms using (term)
