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
with matching as not materialized (
    select *
    from filtered_grants($f)
    where coalesce($search, '') = ''
       or contains(
           lower(concat_ws(' ', grant_id, title, funder, programme)),
           lower($search)
       )
),

-- The chosen order as three ascending keys, nulls last (sort_1 a number, sort_2 a text, sort_3 a
-- number), written once and applied both before the cap and to the rows shown.
keyed as (
    select
        *,
        case $sort
            when 'year' then -year
            when 'oldest' then year
            when 'amount' then -amount_eur
        end as sort_1,
        case when $sort in ('year', 'oldest', 'funder') then lower(funder) end as sort_2,
        case when $sort = 'funder' then -year end as sort_3
    from matching
),

shown as (
    -- the cap first, then the country names of the rows shown only
    select
        grant_id,
        url,
        funder,
        year,
        record_type,
        amount,
        currency,
        amount_eur,
        amount_basis,
        title,
        programme,
        year_convention,
        n_awards,
        start_year,
        end_year,
        fx_method,
        iso3,
        ms_relevance,
        gap_area,
        project_id,
        source,
        as_of,
        sort_1,
        sort_2,
        sort_3
    from keyed
    order by sort_1 nulls last, sort_2 nulls last, sort_3 nulls last, grant_id
    limit $max_rows
),

final as (
    select
        s.grant_id,
        s.url,
        s.funder,
        s.year,
        s.record_type,
        s.amount,
        s.currency,
        s.amount_eur,
        s.amount_basis,
        s.title,
        s.programme,
        s.year_convention,
        s.n_awards,
        s.start_year,
        s.end_year,
        s.fx_method,
        c.name as country,
        s.ms_relevance,
        s.gap_area,
        s.project_id,
        s.source,
        s.as_of
    from shown as s
    left join countries as c on c.iso3 = s.iso3
    order by s.sort_1 nulls last, s.sort_2 nulls last, s.sort_3 nulls last, s.grant_id
)

select * from final
