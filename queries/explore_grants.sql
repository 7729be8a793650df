-- purpose: Grant records (awards, programme totals, calls) for the Explore table and its downloads: current filters, page search, in the chosen order, capped.
-- params:
--   $f         STRUCT   filter state
--   $search    VARCHAR  page search (grant id, title, funder, programme; case-insensitive); null or '' = all
--   $sort      VARCHAR  row order: 'year' (newest year first, then funder), 'oldest' (oldest year first, then funder), 'amount' (largest EUR amount first; no amount last) or 'funder' (A–Z, then newest year); ties and unknown values by grant id
--   $max_rows  BIGINT   most rows to return (the table's display cap)
-- columns:
--   grant_id         VARCHAR  stable key '<source>:<native id>'
--   url              VARCHAR  page the figure was taken from, or the funder's record
--   funder           VARCHAR  organisation that awarded the money
--   year             BIGINT   year the money is counted in (see year_convention)
--   record_type      VARCHAR  award (one grant), programme (a round's total: never add to awards) or call (announced, not spent)
--   amount           DOUBLE   amount in the original currency; empty when the source states none (never 0)
--   currency         VARCHAR  ISO 4217 code of amount
--   amount_eur       DOUBLE   amount in EUR at the ECB euro reference rate, mean of the year's daily rates; empty when no amount
--   amount_basis     VARCHAR  exact, per_award, total, up_to, at_least, partial or approximate
--   title            VARCHAR  award or programme title or topic
--   programme        VARCHAR  funding programme or round
--   year_convention  VARCHAR  NIH fiscal year, award year, announcement year or project start year
--   n_awards         BIGINT   number of awards a programme row covers
--   start_year       BIGINT   first year of the award period where known
--   end_year         BIGINT   last year of the award period where known
--   fx_method        VARCHAR  how the amount was converted (rate source and rate year)
--   country          VARCHAR  country name of the funded organisation
--   ms_relevance     VARCHAR  Progressive-specific or MS, not progression-specific
--   gap_area         VARCHAR  Alliance gap area
--   project_id       VARCHAR  project funded (empty for programme totals and calls)
--   source           VARCHAR  data source the record comes from (its id; Explore shows its name)
--   as_of            DATE     date the source data were retrieved or published

-- NOTE: each order is a rank stored with the grant (serve_grants.order_*): the page's rows are found
-- on the ranks alone, then read by their integer key (see explore_trials).
with keyed as (
    select
        grant_key,
        case $sort
            when 'year' then grant_key
            when 'oldest' then order_oldest
            when 'amount' then order_amount
            when 'funder' then order_funder
            else order_id
        end as sort_rank
    from serve_grants
    where funding_filter($f)
      and search_matches($search, search_text)
),

shown as (
    select *
    from keyed
    order by sort_rank
    limit $max_rows
),

final as (
    select
        g.grant_id,
        g.url,
        g.funder,
        g.year,
        g.record_type,
        g.amount,
        g.currency,
        g.amount_eur,
        g.amount_basis,
        g.title,
        g.programme,
        g.year_convention,
        g.n_awards,
        g.start_year,
        g.end_year,
        g.fx_method,
        g.country,
        g.ms_relevance,
        g.gap_area,
        g.project_id,
        g.source,
        g.as_of
    from shown as s
    inner join serve_grants as g on g.grant_key = s.grant_key
    order by s.sort_rank
)

select * from final
