/* sy-package.h — reading and checking course packages
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sy-course.h"

G_BEGIN_DECLS

#define SY_PACKAGE_ERROR (sy_package_error_quark ())

/**
 * SyPackageError:
 * @SY_PACKAGE_ERROR_NOT_FOUND: the path is neither a folder nor a readable .zip
 * @SY_PACKAGE_ERROR_NOT_A_PACKAGE: there is no course.json at the root
 * @SY_PACKAGE_ERROR_UNSAFE_PATH: a path is absolute, climbs out with `..` or is malformed
 * @SY_PACKAGE_ERROR_UNSAFE_ENTRY: a symlink, hard link, device, FIFO or socket
 * @SY_PACKAGE_ERROR_DUPLICATE_ENTRY: a .zip holds the same path twice
 * @SY_PACKAGE_ERROR_TOO_MANY_FILES: more files than the limit
 * @SY_PACKAGE_ERROR_FILE_TOO_LARGE: one file is larger than the limit
 * @SY_PACKAGE_ERROR_TOO_LARGE: all files together are larger than the limit
 * @SY_PACKAGE_ERROR_COMPRESSION_RATIO: a .zip expands suspiciously much (a zip bomb)
 * @SY_PACKAGE_ERROR_CORRUPT: the .zip cannot be read
 * @SY_PACKAGE_ERROR_NOT_UTF8: a text file or a file name is not valid UTF-8
 * @SY_PACKAGE_ERROR_INVALID_JSON: a JSON file does not parse
 * @SY_PACKAGE_ERROR_UNSUPPORTED_FORMAT: course.json has a format version we do not read
 * @SY_PACKAGE_ERROR_MISSING_FIELD: a required field is absent
 * @SY_PACKAGE_ERROR_INVALID_FIELD: a field has the wrong type or value, or is unknown
 * @SY_PACKAGE_ERROR_DUPLICATE_ID: an id is used twice
 * @SY_PACKAGE_ERROR_MISSING_FILE: a file named by the package is not in it
 * @SY_PACKAGE_ERROR_OLDER_VERSION: a newer version of the course is already installed
 *
 * Every message names the file and the field and says what to fix.
 */
typedef enum
{
  SY_PACKAGE_ERROR_NOT_FOUND,
  SY_PACKAGE_ERROR_NOT_A_PACKAGE,
  SY_PACKAGE_ERROR_UNSAFE_PATH,
  SY_PACKAGE_ERROR_UNSAFE_ENTRY,
  SY_PACKAGE_ERROR_DUPLICATE_ENTRY,
  SY_PACKAGE_ERROR_TOO_MANY_FILES,
  SY_PACKAGE_ERROR_FILE_TOO_LARGE,
  SY_PACKAGE_ERROR_TOO_LARGE,
  SY_PACKAGE_ERROR_COMPRESSION_RATIO,
  SY_PACKAGE_ERROR_CORRUPT,
  SY_PACKAGE_ERROR_NOT_UTF8,
  SY_PACKAGE_ERROR_INVALID_JSON,
  SY_PACKAGE_ERROR_UNSUPPORTED_FORMAT,
  SY_PACKAGE_ERROR_MISSING_FIELD,
  SY_PACKAGE_ERROR_INVALID_FIELD,
  SY_PACKAGE_ERROR_DUPLICATE_ID,
  SY_PACKAGE_ERROR_MISSING_FILE,
  SY_PACKAGE_ERROR_OLDER_VERSION,
} SyPackageError;

/**
 * SyPackageLimits:
 * @max_files: most files (and folders) a package may hold
 * @max_file_size: largest single file, in bytes
 * @max_total_size: largest sum of file sizes, in bytes
 * @max_file_ratio: largest expansion of one compressed file
 * @max_total_ratio: largest expansion of a whole .zip
 */
typedef struct
{
  guint   max_files;
  goffset max_file_size;
  goffset max_total_size;
  double  max_file_ratio;
  double  max_total_ratio;
} SyPackageLimits;

#define SY_PACKAGE_FORMAT 1

GQuark                 sy_package_error_quark     (void);
const SyPackageLimits *sy_package_default_limits  (void);
char                  *sy_package_stage           (GFile                 *source,
                                                   const char            *staging_dir,
                                                   const SyPackageLimits *limits,
                                                   char                 **sha256,
                                                   GCancellable          *cancellable,
                                                   GError               **error);
SyCourse              *sy_package_load            (const char            *root,
                                                   GError               **error);

G_END_DECLS
