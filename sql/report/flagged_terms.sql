-- The most mentioned flagged terms, with the mentions each policy counts for them.
with flagged_terms as (
    select term, string_agg(class_id, ' ' order by class_id) as class_ids, max(flags) as flags,
           max(n_senses) as n_senses, max(sense_share) as sense_share
    from lexicon
    where flagged
    group by term
),

weighted as (
    select term, policy, sum(weight) as mentions
    from mention_weights
    where flagged
    group by term, policy
)

select
    flagged_terms.term,
    flagged_terms.class_ids,
    flagged_terms.flags,
    flagged_terms.n_senses,
    round(flagged_terms.sense_share, 2) as sense_share,
    coalesce(sum(weighted.mentions) filter (where weighted.policy = 'keep'), 0) as keep,
    coalesce(sum(weighted.mentions) filter (where weighted.policy = 'drop'), 0) as "drop",
    coalesce(sum(weighted.mentions) filter (where weighted.policy = 'split'), 0) as split,
    coalesce(sum(weighted.mentions) filter (where weighted.policy = 'context'), 0) as context
from flagged_terms
left join weighted using (term)
group by all
order by keep desc, flagged_terms.term
limit $limit
