-- One point per model × scope × class as the published analysis (Zhang et al. 2024) builds it; each of its
-- quirks is a parameter ($fix_...), so the sensitivity analysis can fix them one at a time.
with class_names as (
    select class_id, class_index, wnid, display_name, name_key
    from published_names
),

-- the published loop visits every entry of the class list: a name listed twice counts twice per sentence
listings as (
    select name_key, count(*) as n_listed
    from class_names
    group by name_key
),

stage_counts as (
    select
        counts.name_key,
        counts.stage,
        sum(counts.n_sentences) * (case when $fix_duplicates then 1 else any_value(listings.n_listed) end) as n_sentences
    from published_name_counts as counts
    join listings using (name_key)
    where counts.edges = $fix_sentence_edges
      and counts.lemmas = $fix_lemmas
      and (counts.role <> 'human' or $human_turns)
      and counts.stage in ('pretrain', 'instruct')
    group by counts.name_key, counts.stage
),

by_name as (
    select
        name_key,
        coalesce(sum(n_sentences) filter (where stage = 'pretrain'), 0) as pretrain,
        coalesce(sum(n_sentences) filter (where stage = 'instruct'), 0) as instruct
    from stage_counts
    group by name_key
),

-- the published combined frequency loops over the names seen in pretraining only
scoped as (
    select name_key, 'pretrain' as scope, pretrain as n_sentences from by_name
    union all
    select name_key, 'instruct' as scope, instruct as n_sentences from by_name
    union all
    select
        name_key,
        'combined' as scope,
        case when pretrain > 0 or $fix_instruct_only then pretrain + instruct else 0 end as n_sentences
    from by_name
),

scopes as (
    select unnest(['combined', 'instruct', 'pretrain']) as scope
),

-- the published join looks counts (keyed by the tokenized name) up by the lower-cased display name
class_frequency as (
    select
        class_names.class_id,
        class_names.class_index,
        class_names.wnid,
        class_names.display_name,
        scopes.scope,
        coalesce(scoped.n_sentences, 0) as n_sentences
    from class_names
    cross join scopes
    left join scoped
        on scoped.scope = scopes.scope
        and scoped.name_key = case when $fix_name_key then class_names.name_key else lower(class_names.display_name) end
),

-- published accuracy is per label string: classes sharing a display name are one point, their images pooled
class_points as (
    select
        accuracy.model,
        class_frequency.*,
        accuracy.accuracy,
        accuracy.n_samples,
        coalesce(accuracy.n_samples, 1) as weight,
        case when $fix_duplicates then class_frequency.class_id else class_frequency.display_name end as point
    from accuracy
    join class_frequency using (class_id)
)

select
    model,
    scope,
    arg_min(class_id, class_index) as class_id,
    min(class_index) as class_index,
    string_agg(wnid, '|' order by class_index) as wnid,
    any_value(display_name) as display_name,
    any_value(n_sentences) as n_sentences,
    sum(accuracy * weight) / sum(weight) as accuracy,
    sum(n_samples)::bigint as n_samples,
    count(*) as n_classes
from class_points
group by model, scope, point
order by model, scope, class_index
