/* sy-coach-report.h — a class's coach report as a printable PDF
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sy-classroom.h"

G_BEGIN_DECLS

#define SY_COACH_REPORT_ERROR (sy_coach_report_error_quark ())

/**
 * SyCoachReportError:
 * @SY_COACH_REPORT_ERROR_WRITE: the PDF could not be written (the message says where and why)
 */
typedef enum
{
  SY_COACH_REPORT_ERROR_WRITE,
} SyCoachReportError;

GQuark    sy_coach_report_error_quark  (void);
gboolean  sy_coach_report_write_pdf    (const SyCoachReport  *report,
                                        const char           *path,
                                        GError              **error);

G_END_DECLS
