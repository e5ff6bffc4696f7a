-- Each judged occurrence (of the dev set or of the labelled sets, in the working table judged_occurrences)
-- with the weight each policy gives its class in its text unit (0 when not counted), and the published
-- method's: 1 when the class's display name itself matched there.
with occurrences as (
    select doc_id, term, class_id, label
    from judged_occurrences
),

policy_weights as (
    select doc_id, class_id, policy, max(weight) as weight
    from mention_weights
    where doc_id in (select doc_id from occurrences)
    group by doc_id, class_id, policy
),

display_names as (
    select distinct lexicon.class_id, lexicon.term
    from lexicon
    where lexicon.origins like '%display_name%' and lexicon.status = 'counted'
),

display_name_weights as (
    select distinct mentions.doc_id, mentions.class_id, 'display_name_only' as policy, 1.0 as weight
    from mentions
    join display_names using (class_id, term)
    where mentions.doc_id in (select doc_id from occurrences)
),

policies as (
    select unnest(list_append($policies::varchar[], 'display_name_only')) as policy
),

weights as (
    select * from policy_weights
    union all
    select * from display_name_weights
)

select
    occurrences.term,
    occurrences.class_id,
    occurrences.doc_id,
    occurrences.label,
    policies.policy,
    coalesce(weights.weight, 0.0) as weight
from occurrences
cross join policies
left join weights using (doc_id, class_id, policy)
order by occurrences.doc_id, occurrences.class_id, policies.policy
