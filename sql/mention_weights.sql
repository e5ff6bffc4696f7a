-- Each mention's weight under each disambiguation policy:
--   keep     every mention counts 1;
--   drop     a flagged term counts 0 when its class has an unflagged counted term, else 1;
--   split    a term shared by k classes counts 1/k for each;
--   context  a flagged term counts 1 only when its text unit also holds one of the class's context words.
create or replace table mention_weights as
with flagged_mentions as (
    select distinct doc_id, class_id
    from mentions
    where flagged
),

context_words as (
    select class_id, list(word) as words
    from class_context
    group by class_id
),

flagged_documents as (
    select doc_id, lemmas
    from read_parquet($lemma_files)
    where doc_id in (select doc_id from flagged_mentions)
),

confirmed as (
    select flagged_mentions.doc_id, flagged_mentions.class_id
    from flagged_mentions
    join flagged_documents using (doc_id)
    join context_words using (class_id)
    where list_has_any(flagged_documents.lemmas, context_words.words)
),

classes_with_unflagged_terms as (
    select distinct class_id
    from lexicon
    where status = 'counted' and not flagged
),

policies as (
    select unnest(['keep', 'drop', 'split', 'context']) as policy
)

select
    mentions.source,
    mentions.stage,
    mentions.role,
    mentions.conversation_id,
    mentions.doc_id,
    mentions.start,
    mentions.term,
    mentions.class_id,
    mentions.flagged,
    policies.policy,
    case policies.policy
        when 'keep' then 1.0
        when 'drop' then case when mentions.flagged and unflagged.class_id is not null then 0.0 else 1.0 end
        when 'split' then 1.0 / mentions.n_classes
        when 'context' then case when not mentions.flagged or confirmed.doc_id is not null then 1.0 else 0.0 end
    end as weight
from mentions
cross join policies
left join classes_with_unflagged_terms as unflagged using (class_id)
left join confirmed using (doc_id, class_id)
