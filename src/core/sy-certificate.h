/* sy-certificate.h — a PDF certificate for a completed course
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SyCertificateInfo:
 * @learner_name: the learner's name
 * @external_id: (nullable): e.g. a village doctor's registration number
 * @course_title: the course title, in the certificate's language
 * @programme: (nullable): the programme's display name
 * @class_hours: class hours earned
 * @credits: credits awarded
 * @completed: when the course was completed (shown as a date, in local time)
 * @verification_code: from sy_certificate_make_code()
 * @issuer: (nullable): the organisation issuing it
 */
typedef struct
{
  const char *learner_name;
  const char *external_id;
  const char *course_title;
  const char *programme;
  double      class_hours;
  double      credits;
  GDateTime  *completed;
  const char *verification_code;
  const char *issuer;
} SyCertificateInfo;

#define SY_CERTIFICATE_ERROR (sy_certificate_error_quark ())

typedef enum
{
  SY_CERTIFICATE_ERROR_WRITE,
} SyCertificateError;

GQuark    sy_certificate_error_quark (void);
char     *sy_certificate_make_code   (const char              *statement_id,
                                      const char              *learner_uuid,
                                      const char              *course_id);
gboolean  sy_certificate_write_pdf   (const SyCertificateInfo *info,
                                      const char              *path,
                                      GError                 **error);

G_END_DECLS
