/* hub-store-catalog.h — the course catalog: published packages and their bytes
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owned by the catalog part of the hub (hub-store-catalog.c). A published package is
 * checked with core's package checker (sy-package.h) and stored in the database: one row
 * in `packages` (id, version, titles, programme, class hours, credits, size, SHA-256) and
 * its bytes in `package_chunks`, in chunks of %HUB_CATALOG_CHUNK_SIZE bytes, so the hub
 * keeps no state outside its database and several hub processes can share one PostgreSQL.
 * Versions are immutable: publishing the same id and version again with the same files
 * (core's digest of the package's paths and contents, which is the same for a folder and
 * any .zip of it) changes nothing and keeps the stored bytes; with other files it is
 * refused.
 */
#pragma once

#include <json-c/json.h>

#include "hub-store.h"

G_BEGIN_DECLS

#define HUB_CATALOG_CHUNK_SIZE (256 * 1024)

#define HUB_CATALOG_ERROR (hub_catalog_error_quark ())

typedef enum
{
  HUB_CATALOG_ERROR_IMMUTABLE,  /* this id and version exist with different files */
  HUB_CATALOG_ERROR_NOT_FOUND,  /* no such package */
  HUB_CATALOG_ERROR_FAILED,
} HubCatalogError;

GQuark       hub_catalog_error_quark (void);

/* Checks the package at @package_path (a course folder, or a .zip) and stores it. A folder
 * is zipped deterministically (sorted entries, fixed times); a .zip is stored as it is.
 * A package the checker refuses fails with its SY_PACKAGE_ERROR and message (file, field,
 * what to fix), and nothing is stored.
 * @entry_out (may be NULL) receives the catalog entry of the published course: {"id",
 * "version", "titles", "programme", "class_hours", "credits" (null when course.json has
 * none), "size", "sha256" (of the stored .zip), "content_sha256" (core's digest of the
 * files, what the app records as an installed course's sha256), "published", "path"
 * ("/api/v1/packages/ID/VERSION")}. */
gboolean     hub_catalog_publish   (HubStore     *store,
                                    const char   *package_path,
                                    json_object **entry_out,
                                    GError      **error);

/* The catalog: an array of entries (as above), the newest version of each course, sorted
 * by id. */
json_object *hub_catalog_list      (HubStore     *store,
                                    GError      **error);

/**
 * HubCatalogPackage:
 * @pk: row id in `packages`
 * @size: bytes
 * @sha256: lowercase hex
 * @published_us: when it was published (microseconds since the epoch)
 */
typedef struct
{
  gint64  pk;
  gint64  size;
  char   *sha256;
  gint64  published_us;
} HubCatalogPackage;

void         hub_catalog_package_free (HubCatalogPackage *package);

/* Looks a package up: NULL with HUB_CATALOG_ERROR_NOT_FOUND when there is none. */
HubCatalogPackage *hub_catalog_find (HubStore    *store,
                                     const char  *id,
                                     const char  *version,
                                     GError     **error);

/* Bytes [@offset, @offset + @length) of a package, reading only the chunks they fall in
 * (must lie within the package). */
GBytes      *hub_catalog_read      (HubStore          *store,
                                    const HubCatalogPackage *package,
                                    gint64             offset,
                                    gint64             length,
                                    GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HubCatalogPackage, hub_catalog_package_free)

G_END_DECLS
