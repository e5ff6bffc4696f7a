-- Classes no counted term matched in any text, with the terms that were looked for: candidates for curated
-- synonyms. (A class the run's policy cuts to zero is not here: see policy_cuts.)
with unseen as (
    select class_id, class_index, display_name
    from class_frequency_by_scope
    where scope = 'combined' and n_docs_raw = 0
),

terms as (
    select class_id, string_agg(term, ' | ' order by term) as terms
    from lexicon
    where status = 'counted'
    group by class_id
)

select unseen.class_index, unseen.class_id, unseen.display_name, terms.terms
from unseen
left join terms using (class_id)
order by unseen.class_index
