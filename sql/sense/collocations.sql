-- sense model round, step 2 (see sense/term_priors.sql): each feature's log-likelihood ratio of the class sense.
-- Its count under each side: the (class, term)'s mentions labelled so far that hold it, plus $seed_weight
-- pseudo-mentions when it is a seed of that side. The ratio compares the feature's rates under the two
-- sides, each an m-estimate smoothed towards its rate under both ($m pseudo-mentions), so a feature as common
-- under both (a, man, wearing) says nothing. A feature seen fewer than $min_support times is no collocation; the
-- ratio is kept within ±$max_llr.
create or replace table sense_collocations as
with labelled as (
    select sense_features.class_id, sense_features.term, sense_features.feature, sense_labels.label
    from sense_features
    join sense_labels using (mention, class_id, term)
),

observed as (
    select class_id, term, feature, count(*) filter (where label) as n_class, count(*) filter (where not label) as n_other
    from labelled
    group by all
),

seeded as (
    select class_id, term, feature,
        case when side = 'class' then $seed_weight else 0 end as n_class,
        case when side = 'other' then $seed_weight else 0 end as n_other
    from sense_seeds
    where feature not in (select feature from sense_generic_features)
),

counts as (
    select class_id, term, feature, sum(n_class) as n_class, sum(n_other) as n_other
    from (
        select * from observed
        union all
        select * from seeded
    )
    group by all
),

totals as (
    select
        sense_priors.class_id,
        sense_priors.term,
        coalesce(count(sense_labels.label) filter (where sense_labels.label), 0) + $seed_weight as total_class,
        coalesce(count(sense_labels.label) filter (where not sense_labels.label), 0) + $seed_weight as total_other
    from sense_priors
    left join sense_labels using (class_id, term)
    group by sense_priors.class_id, sense_priors.term
),

rated as (
    select counts.*, totals.total_class, totals.total_other,
        (counts.n_class + counts.n_other) / (totals.total_class + totals.total_other) as rate
    from counts
    join totals using (class_id, term)
)

select
    class_id,
    term,
    feature,
    n_class,
    n_other,
    greatest(least(
        ln((n_class + $m * rate) / (total_class + $m)) - ln((n_other + $m * rate) / (total_other + $m)),
        $max_llr), -$max_llr) as llr
from rated
where n_class + n_other >= $min_support
