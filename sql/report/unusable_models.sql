-- The models without a Spearman estimate in the combined scope, with what their points are like, so that a
-- warning can say why: no point, too few, the same frequency on every class (0 when none is mentioned), or the
-- same accuracy on every class.
with points as (
    select
        model,
        count(*) as n_points,
        count(*) filter (where frequency = 0) as n_zero,
        count(distinct frequency) as n_frequencies,
        count(distinct accuracy) as n_accuracies
    from correlated_points
    where scope = 'combined'
    group by model
)

select
    models.model,
    models.source,
    models.n_resolved,
    coalesce(points.n_points, 0) as n_points,
    coalesce(points.n_zero, 0) as n_zero,
    coalesce(points.n_frequencies, 0) as n_frequencies,
    coalesce(points.n_accuracies, 0) as n_accuracies
from accuracy_models as models
left join points using (model)
where not exists (
    select 1
    from correlations
    where correlations.model = models.model and correlations.scope = 'combined' and correlations.spearman_rho is not null
)
order by models.model
