-- One row per mention of a class by a counted term: where it occurred, the term's ambiguity, and the
-- mention's weight under each disambiguation policy:
--   keep     every mention counts 1;
--   drop     a flagged term counts 0 when its class has an unflagged counted term, else 1;
--   split    a term shared by k classes counts 1/k for each;
--   context  a flagged term counts 1 only when its text unit also holds one of the class's context words.
create or replace table mentions as
with matched as (
    select source, stage, role, conversation_id, doc_id, start, n_tokens, term, context
    from read_parquet($mention_files)
),

class_terms as (
    select class_id, term, flagged, n_classes
    from lexicon
    where status = 'counted'
),

classes_with_unflagged_terms as (
    select distinct class_id
    from lexicon
    where status = 'counted' and not flagged
),

context_found as (
    -- the match stage lists the context words of each flagged term's text unit
    select doc_id, unnest(context) as word
    from matched
    where context is not null
),

flagged_mentions as (
    select distinct matched.doc_id, class_terms.class_id
    from matched
    join class_terms using (term)
    where class_terms.flagged
),

confirmed as (
    select distinct flagged_mentions.doc_id, flagged_mentions.class_id
    from flagged_mentions
    join class_context using (class_id)
    join context_found using (doc_id, word)
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
    class_terms.class_id,
    class_terms.flagged,
    class_terms.n_classes,
    1.0 as weight_keep,
    case when class_terms.flagged and unflagged.class_id is not null then 0.0 else 1.0 end as weight_drop,
    1.0 / class_terms.n_classes as weight_split,
    case when not class_terms.flagged or confirmed.doc_id is not null then 1.0 else 0.0 end as weight_context
from matched
join class_terms using (term)
left join classes_with_unflagged_terms as unflagged using (class_id)
left join confirmed using (doc_id, class_id)
