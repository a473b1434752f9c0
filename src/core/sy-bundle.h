/* sy-bundle.h — records and courses carried between PCs on a USB stick
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sy-store.h"

G_BEGIN_DECLS

#define SY_BUNDLE_ERROR (sy_bundle_error_quark ())

/**
 * SyBundleError:
 * @SY_BUNDLE_ERROR_DAMAGED: the bundle is truncated or altered: not a complete zip, a
 *   file missing, unlisted, duplicated, or not matching its size, checksum or count
 * @SY_BUNDLE_ERROR_FORMAT: the file is not a bundle, or one written in a newer format
 * @SY_BUNDLE_ERROR_INVALID: the bundle is whole but a record, learner or course in it is
 *   not acceptable; or an export option is wrong (a bad time, a course not installed)
 * @SY_BUNDLE_ERROR_IO: reading or writing a file failed (a full or removed USB stick)
 *
 * Whatever the error, an import that fails changes nothing, and an export that fails
 * leaves no bundle file behind.
 */
typedef enum
{
  SY_BUNDLE_ERROR_DAMAGED,
  SY_BUNDLE_ERROR_FORMAT,
  SY_BUNDLE_ERROR_INVALID,
  SY_BUNDLE_ERROR_IO,
} SyBundleError;

/* The bundle format this version writes and reads (manifest.json "format") */
#define SY_BUNDLE_FORMAT 1

/**
 * SyBundleOptions:
 * @since: (nullable): only statements recorded on this PC after this time (ISO 8601; a
 *   date alone means its midnight, local time)
 * @all: every statement (but the quarantined), not only those the hub does not have yet
 * @course_ids: (nullable) (array zero-terminated=1): installed courses to carry along
 * @all_courses: carry every installed course
 *
 * What an export writes. All zero (or a %NULL pointer): the statements waiting for the
 * hub and the learners they need, no courses.
 */
typedef struct
{
  const char         *since;
  gboolean            all;
  const char * const *course_ids;
  gboolean            all_courses;
} SyBundleOptions;

/**
 * SyBundleSummary:
 * @statements: export: statements written
 * @learners: export: learners written
 * @courses: export: course packages written
 * @statements_added: import: statements new to this PC (they go to the hub on its next
 *   sync)
 * @statements_known: import: statements this PC already had
 * @learners_added: import: learners new to this PC
 * @learners_known: import: learners this PC already had, the same as in the bundle
 * @learners_kept: import: learners this PC already had with other details (name, role,
 *   PIN, external id or avatar): they were kept as they are on this PC
 * @courses_installed: import: courses new to this PC
 * @courses_updated: import: courses replaced by the bundle's newer version
 * @courses_unchanged: import: courses this PC had at the same or a newer version
 */
typedef struct
{
  guint statements;
  guint learners;
  guint courses;

  guint statements_added;
  guint statements_known;
  guint learners_added;
  guint learners_known;
  guint learners_kept;
  guint courses_installed;
  guint courses_updated;
  guint courses_unchanged;
} SyBundleSummary;

GQuark      sy_bundle_error_quark         (void);

gboolean    sy_store_export_bundle        (SyStore                *self,
                                           const char             *path,
                                           const SyBundleOptions  *opts,
                                           SyBundleSummary        *out,
                                           GCancellable           *cancellable,
                                           GError                **error);
void        sy_store_export_bundle_async  (SyStore                *self,
                                           const char             *path,
                                           const SyBundleOptions  *opts,
                                           GCancellable           *cancellable,
                                           GAsyncReadyCallback     callback,
                                           gpointer                user_data);
gboolean    sy_store_export_bundle_finish (SyStore                *self,
                                           GAsyncResult           *result,
                                           SyBundleSummary        *out,
                                           GError                **error);

gboolean    sy_store_import_bundle        (SyStore                *self,
                                           const char             *path,
                                           SyBundleSummary        *out,
                                           GCancellable           *cancellable,
                                           GError                **error);
void        sy_store_import_bundle_async  (SyStore                *self,
                                           const char             *path,
                                           GCancellable           *cancellable,
                                           GAsyncReadyCallback     callback,
                                           gpointer                user_data);
gboolean    sy_store_import_bundle_finish (SyStore                *self,
                                           GAsyncResult           *result,
                                           SyBundleSummary        *out,
                                           GError                **error);

G_END_DECLS
