-- One row per mention of a class by a counted term: where it occurred, whether the text capitalizes it as a
-- proper name (`proper_name`), the term's ambiguity, and the mention's weight under each disambiguation policy:
--   keep     every mention counts 1;
--   drop     a flagged term counts 0 when its class has an unflagged counted term, else 1;
--   split    a term shared by k classes counts 1/k for each;
--   context  a flagged term counts 1 only when its text unit also holds one of the class's context words;
--   sense    a flagged term counts 1 when the sense model (mention_senses) gives its class's sense a probability
--            of at least 1/2; `sense_probability` is that probability (1 for an unflagged term), whose sum is the
--            expected count. A flagged term the lexicon writes in lower case counts 0, with probability 0, where
--            the text capitalizes it as a proper name ("Minnie Mouse", "Jersey City": `proper_name`, from the
--            match stage); a flagged term capitalized by right ("Boxer", "Cardigan": the dogs) is never cut so.
create or replace table mentions as
with matched as (
    -- the sense model's name of the mention (macros/mention_key.sql)
    select source, stage, role, conversation_id, doc_id, start, n_tokens, term, proper_name, context,
        mention_key(file_index, file_row_number) as mention
    from read_parquet($mention_files)
),

class_terms as (
    select
        class_id,
        term,
        flagged,
        n_classes,
        -- written in lower case, a flagged term capitalized in a text names something else
        flagged and lower(text) = text as cut_by_proper_names
    from lexicon
    where status = 'counted'
),

classes_with_unflagged_terms as (
    select distinct class_id
    from lexicon
    where status = 'counted' and not flagged
),

class_words as (
    -- the match stage lists, for a flagged term, the context words of its classes found in its text unit
    select class_id, list(word) as words
    from class_context
    group by class_id
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
    matched.proper_name,
    1.0 as weight_keep,
    case when class_terms.flagged and unflagged.class_id is not null then 0.0 else 1.0 end as weight_drop,
    1.0 / class_terms.n_classes as weight_split,
    case when not class_terms.flagged or coalesce(list_has_any(matched.context, class_words.words), false) then 1.0 else 0.0 end
        as weight_context,
    case
        when not class_terms.flagged then 1.0
        when class_terms.cut_by_proper_names and matched.proper_name then 0.0
        when coalesce(senses.sense_probability, 0.0) >= 0.5 then 1.0
        else 0.0
    end as weight_sense,
    case
        when not class_terms.flagged then 1.0
        when class_terms.cut_by_proper_names and matched.proper_name then 0.0
        else coalesce(senses.sense_probability, 0.0)
    end as sense_probability
from matched
join class_terms using (term)
left join classes_with_unflagged_terms as unflagged using (class_id)
left join class_words using (class_id)
left join mention_senses as senses using (mention, class_id)
