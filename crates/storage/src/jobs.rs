//! Leases for background jobs, so that with several processes on one database each job
//! runs in one process at a time.

use crate::schema::job_leases;
use crate::{Store, StoreError, now};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

impl Store {
    /// Tries to take the lease on `job` for `holder` for `length`. Answers whether this
    /// holder now has it. Taking it is one conditional update, so two processes racing
    /// for the same lease cannot both win.
    pub fn take_job_lease(
        &self,
        job: &str,
        holder: &str,
        length: Duration,
    ) -> Result<bool, StoreError> {
        self.take_lease(job, holder, length, None)
    }

    /// Tries to take the lease on a job that runs once every `every` (a daily count),
    /// only if it has not finished within `every`. The lease and the last run are
    /// checked in the same conditional update: a process that saw the job due just
    /// before another finished it cannot then run it a second time.
    pub fn take_due_job_lease(
        &self,
        job: &str,
        holder: &str,
        length: Duration,
        every: Duration,
    ) -> Result<bool, StoreError> {
        self.take_lease(job, holder, length, Some(every))
    }

    fn take_lease(
        &self,
        job: &str,
        holder: &str,
        length: Duration,
        every: Option<Duration>,
    ) -> Result<bool, StoreError> {
        self.read(|conn| {
            // The first process to run a job creates its row; for every later one the
            // insert fails on the key, which is expected. This runs outside a
            // transaction, so the failed insert leaves nothing to roll back.
            let created = diesel::insert_into(job_leases::table)
                .values(job_leases::name.eq(job))
                .execute(conn);
            if let Err(error) = created.map_err(StoreError::from)
                && !error.is_unique_violation()
            {
                return Err(error);
            }
            let at = now();
            let free = job_leases::leased_until
                .is_null()
                .or(job_leases::leased_until.lt(at))
                .or(job_leases::holder.eq(holder));
            let lease = (
                job_leases::holder.eq(holder),
                job_leases::leased_until.eq(at + length),
            );
            let taken = match every {
                None => diesel::update(job_leases::table.find(job).filter(free))
                    .set(lease)
                    .execute(conn)?,
                Some(every) => {
                    let due = job_leases::last_finished_at
                        .is_null()
                        .or(job_leases::last_finished_at.le(at - every));
                    diesel::update(job_leases::table.find(job).filter(free).filter(due))
                        .set(lease)
                        .execute(conn)?
                }
            };
            Ok(taken == 1)
        })
    }

    /// Gives the lease back when the job is done, noting when it finished.
    pub fn finish_job(&self, job: &str, holder: &str) -> Result<(), StoreError> {
        self.read(|conn| {
            diesel::update(
                job_leases::table
                    .find(job)
                    .filter(job_leases::holder.eq(holder)),
            )
            .set((
                job_leases::leased_until.eq(None::<NaiveDateTime>),
                job_leases::last_finished_at.eq(now()),
            ))
            .execute(conn)?;
            Ok(())
        })
    }

    /// When `job` last finished, if it ever did.
    pub fn job_finished_at(&self, job: &str) -> Result<Option<NaiveDateTime>, StoreError> {
        self.read(|conn| {
            Ok(job_leases::table
                .find(job)
                .select(job_leases::last_finished_at)
                .first::<Option<NaiveDateTime>>(conn)
                .optional()?
                .flatten())
        })
    }

    /// Notes that a job done once, outside any lease, has finished: for the steps that
    /// bring an older database up to date.
    pub fn mark_job_finished(&self, job: &str) -> Result<(), StoreError> {
        self.read(|conn| {
            let at = now();
            let updated = diesel::update(job_leases::table.find(job))
                .set(job_leases::last_finished_at.eq(at))
                .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(job_leases::table)
                    .values((
                        job_leases::name.eq(job),
                        job_leases::last_finished_at.eq(at),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })
    }
}
