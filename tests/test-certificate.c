/* test-certificate.c — verification codes, and the PDF as poppler reads it back
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cairo.h>
#include <dlfcn.h>
#include <glib/gstdio.h>
#include <pango/pangocairo.h>

#include "sy-certificate.h"
#include "sy-util.h"
#include "test-util.h"

#define CROCKFORD "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/* A4 landscape in points, and where the inner border rule lies (11.5 mm from the edge):
 * no text may reach it. */
#define PAGE_WIDTH   841.89
#define PAGE_HEIGHT  595.28
#define BORDER_INNER (11.5 * 72 / 25.4)

static void
test_code_pinned (void)
{
  g_autofree char *code = NULL;
  g_autofree char *empty = NULL;

  /* Printed certificates carry these codes for years: the algorithm must never change.
   * The values were computed independently (Python's hashlib and a base32 by hand). */
  code = sy_certificate_make_code ("5f1c9d52-8a43-4e7b-9b1e-2c6f0d3a7e41",
                                   "0b8e2f6a-3c1d-4a9e-8f7b-6d5c4b3a2e10",
                                   "village-doctor.hypertension");
  g_assert_cmpstr (code, ==, "DWA2-2DFE-593Y");

  empty = sy_certificate_make_code ("", "", "");
  g_assert_cmpstr (empty, ==, "820C-VQ9R-F10J");
}

static void
assert_code_format (const char *code)
{
  g_assert_cmpuint (strlen (code), ==, 14);
  for (guint i = 0; i < 14; i++)
    {
      if (i == 4 || i == 9)
        g_assert_cmpint (code[i], ==, '-');
      else
        g_assert_nonnull (strchr (CROCKFORD, code[i]));
    }
}

static void
test_code_format (void)
{
  /* Many codes, so every position sees many characters */
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *statement = g_uuid_string_random ();
      g_autofree char *learner = g_uuid_string_random ();
      g_autofree char *course = g_strdup_printf ("course-%u", i);
      g_autofree char *code = sy_certificate_make_code (statement, learner, course);
      g_autofree char *again = sy_certificate_make_code (statement, learner, course);

      assert_code_format (code);
      g_assert_cmpstr (code, ==, again);
    }
}

static void
test_code_differs (void)
{
  const char *base[3] = { "stmt-1", "learner-1", "course-1" };
  g_autofree char *code = sy_certificate_make_code (base[0], base[1], base[2]);
  g_autofree char *shifted = NULL;

  for (guint i = 0; i < 3; i++)
    {
      const char *changed[3] = { base[0], base[1], base[2] };
      g_autofree char *other = NULL;

      changed[i] = "something-else";
      other = sy_certificate_make_code (changed[0], changed[1], changed[2]);
      g_assert_cmpstr (code, !=, other);
    }

  /* the separator keeps the fields apart */
  shifted = sy_certificate_make_code ("stmt-1l", "earner-1", "course-1");
  g_assert_cmpstr (code, !=, shifted);
}

/* Runs @argv and returns its standard output. A missing poppler-utils fails the test:
 * ./dev installs it, and a certificate test that skips would prove nothing. */
static char *
run_tool (const char * const *argv)
{
  g_autofree char *program = g_find_program_in_path (argv[0]);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (program == NULL)
    {
      g_test_fail_printf ("%s is not installed; install poppler-utils (./dev does)", argv[0]);
      return NULL;
    }

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s", argv[0], error->message, err);

  return g_steal_pointer (&out);
}

/* pdftotext may put spaces between the CJK glyphs of a line; compare without them */
static char *
without_spaces (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

static char *
pdf_text (const char *pdf)
{
  return run_tool ((const char * const[]) { "pdftotext", "-layout", "-enc", "UTF-8", pdf, "-",
                                            NULL });
}

/* Asserts every word poppler finds lies inside the inner border of a landscape A4 page,
 * and that there is exactly one page. */
static void
assert_text_inside_border (const char *pdf)
{
  g_autofree char *html = run_tool ((const char * const[]) { "pdftotext", "-bbox", "-enc",
                                                             "UTF-8", pdf, "-", NULL });
  g_autoptr(GRegex) page_re = NULL;
  g_autoptr(GRegex) word_re = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  guint n_pages = 0, n_words = 0;

  if (html == NULL)
    return;

  page_re = g_regex_new ("<page width=\"([0-9.]+)\" height=\"([0-9.]+)\">", 0, 0, NULL);
  for (g_regex_match (page_re, html, 0, &match); g_match_info_matches (match);
       g_match_info_next (match, NULL))
    {
      g_autofree char *width = g_match_info_fetch (match, 1);
      g_autofree char *height = g_match_info_fetch (match, 2);

      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (width, NULL), PAGE_WIDTH, 1.0);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (height, NULL), PAGE_HEIGHT, 1.0);
      n_pages++;
    }
  g_clear_pointer (&match, g_match_info_unref);
  g_assert_cmpuint (n_pages, ==, 1);

  word_re = g_regex_new ("<word xMin=\"([0-9.-]+)\" yMin=\"([0-9.-]+)\" "
                         "xMax=\"([0-9.-]+)\" yMax=\"([0-9.-]+)\">([^<]*)</word>",
                         0, 0, NULL);
  for (g_regex_match (word_re, html, 0, &match); g_match_info_matches (match);
       g_match_info_next (match, NULL))
    {
      double box[4];
      g_autofree char *word = g_match_info_fetch (match, 5);

      for (guint i = 0; i < 4; i++)
        {
          g_autofree char *value = g_match_info_fetch (match, i + 1);
          box[i] = g_ascii_strtod (value, NULL);
        }
      if (box[0] < BORDER_INNER || box[1] < BORDER_INNER ||
          box[2] > PAGE_WIDTH - BORDER_INNER || box[3] > PAGE_HEIGHT - BORDER_INNER)
        g_error ("“%s” at (%g, %g)–(%g, %g) runs over the border", word,
                 box[0], box[1], box[2], box[3]);
      n_words++;
    }
  g_assert_cmpuint (n_words, >, 5);
}

static guint32
read_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Rasterizes @pdf at 50 dpi and returns the size of the PNG, from its IHDR chunk. */
static gboolean
render_png_size (const char *pdf,
                 const char *dir,
                 guint32    *width,
                 guint32    *height)
{
  g_autofree char *prefix = g_build_filename (dir, "page", NULL);
  g_autofree char *png = g_strconcat (prefix, ".png", NULL);
  g_autofree char *out = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  out = run_tool ((const char * const[]) { "pdftoppm", "-png", "-r", "50", "-singlefile",
                                           pdf, prefix, NULL });
  if (out == NULL)
    return FALSE;

  g_file_get_contents (png, &data, &len, &error);
  g_assert_no_error (error);
  /* signature, then the IHDR chunk: length, type, width, height */
  g_assert_cmpuint (len, >, 24);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpmem (data + 12, 4, "IHDR", 4);
  *width = read_be32 ((const guint8 *) data + 16);
  *height = read_be32 ((const guint8 *) data + 20);
  g_unlink (png);
  return TRUE;
}

static void
assert_dir_has_only (const char *dir,
                     const char *expected)
{
  g_autofree char *listing = test_list_dir (dir);

  g_assert_cmpstr (listing, ==, expected);
}

static void
test_pdf_chinese (void)
{
  g_autofree char *dir = test_make_temp_dir ("certificate");
  g_autofree char *pdf = g_build_filename (dir, "certificate.pdf", NULL);
  g_autofree char *code = sy_certificate_make_code ("stmt", "learner", "course");
  g_autoptr(GDateTime) completed = g_date_time_new_local (2026, 3, 14, 10, 30, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *head = NULL;
  g_autofree char *flat = NULL;
  guint32 width = 0, height = 0;
  SyCertificateInfo info = {
    .learner_name = "王秀英",
    .external_id = "HB-2026-00731",
    .course_title = "高血压的基层诊疗与管理",
    .programme = "乡村医生继续教育",
    .class_hours = 12,
    .credits = 1.5,
    .completed = completed,
    .verification_code = code,
    .issuer = "某某县卫生健康局",
  };

  g_assert_true (sy_certificate_write_pdf (&info, pdf, &error));
  g_assert_no_error (error);
  assert_dir_has_only (dir, "certificate.pdf\n");

  g_file_get_contents (pdf, &head, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (head, "%PDF-"));

  text = pdf_text (pdf);
  if (text == NULL)
    goto out;
  flat = without_spaces (text);
  g_assert_nonnull (strstr (flat, "王秀英"));
  g_assert_nonnull (strstr (flat, "高血压的基层诊疗与管理"));
  g_assert_nonnull (strstr (flat, "乡村医生继续教育"));
  g_assert_nonnull (strstr (flat, "某某县卫生健康局"));
  g_assert_nonnull (strstr (text, "HB-2026-00731"));
  g_assert_nonnull (strstr (text, code));
  g_assert_nonnull (strstr (text, "2026-03-14"));
  g_assert_nonnull (strstr (text, "12 class hours"));
  g_assert_nonnull (strstr (text, "1.5 credits"));

  assert_text_inside_border (pdf);

  if (!render_png_size (pdf, dir, &width, &height))
    goto out;
  g_assert_cmpuint (width, >, height);
  /* A4 at 50 dpi: 585 × 413 */
  g_assert_cmpuint (width, >=, 580);
  g_assert_cmpuint (width, <=, 590);

out:
  sy_rm_rf (dir, NULL);
}

static void
test_pdf_optional_fields (void)
{
  g_autofree char *dir = test_make_temp_dir ("certificate");
  g_autofree char *pdf = g_build_filename (dir, "plain.pdf", NULL);
  g_autofree char *code = sy_certificate_make_code ("a", "b", "c");
  g_autoptr(GDateTime) completed = g_date_time_new_utc (2025, 12, 31, 12, 0, 0);
  g_autoptr(GDateTime) local = g_date_time_to_local (completed);
  g_autofree char *date = g_date_time_format (local, "%Y-%m-%d");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  SyCertificateInfo info = {
    .learner_name = "Li Wei",
    .course_title = "Hand hygiene",
    .class_hours = 1,
    .completed = completed,
    .verification_code = code,
  };

  g_assert_true (sy_certificate_write_pdf (&info, pdf, &error));
  g_assert_no_error (error);

  text = pdf_text (pdf);
  if (text != NULL)
    {
      g_assert_nonnull (strstr (text, "Li Wei"));
      g_assert_nonnull (strstr (text, "Hand hygiene"));
      g_assert_nonnull (strstr (text, date));
      g_assert_nonnull (strstr (text, "1 class hour"));
      g_assert_null (strstr (text, "class hours"));
      /* no credits, no registration number, no issuer: no empty labels either */
      g_assert_null (strstr (text, "credit"));
      g_assert_null (strstr (text, "Registration"));
      assert_text_inside_border (pdf);
    }

  sy_rm_rf (dir, NULL);
}

static void
test_pdf_long_texts (void)
{
  g_autofree char *dir = test_make_temp_dir ("certificate");
  g_autofree char *pdf = g_build_filename (dir, "long.pdf", NULL);
  g_autofree char *code = sy_certificate_make_code ("x", "y", "z");
  g_autoptr(GDateTime) completed = g_date_time_new_local (2026, 1, 2, 9, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) title = g_string_new ("Management");
  g_autoptr(GString) name = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_autofree char *chinese_text = NULL;
  g_autoptr(GString) chinese_title = g_string_new (NULL);
  SyCertificateInfo info = {
    .external_id = "0123456789012345678901234567890123456789",
    .programme = "Continuing medical education for village doctors in the western counties",
    .class_hours = 120,
    .credits = 10,
    .completed = completed,
    .verification_code = code,
    .issuer = "The Health Commission of a county with a very long official name indeed",
  };

  while (title->len < 200)
    g_string_append (title, " of common chronic diseases");
  g_string_truncate (title, 200);
  /* one very long word: must break anywhere rather than overflow */
  for (guint i = 0; i < 8; i++)
    g_string_append (name, "Abcdefghijklmnop");
  info.learner_name = name->str;
  info.course_title = title->str;

  g_assert_true (sy_certificate_write_pdf (&info, pdf, &error));
  g_assert_no_error (error);
  text = pdf_text (pdf);
  if (text == NULL)
    goto out;
  g_assert_nonnull (strstr (text, "Management of common chronic"));
  g_assert_nonnull (strstr (text, "Abcdefghijklmnop"));
  g_assert_nonnull (strstr (text, code));
  assert_text_inside_border (pdf);

  /* Chinese has no spaces to break at */
  while (g_utf8_strlen (chinese_title->str, -1) < 200)
    g_string_append (chinese_title, "农村常见慢性病的规范化管理与随访，");
  info.learner_name = "欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜";
  info.course_title = chinese_title->str;
  g_assert_true (sy_certificate_write_pdf (&info, pdf, &error));
  g_assert_no_error (error);
  chinese_text = pdf_text (pdf);
  g_assert_nonnull (strstr (chinese_text, "农村常见慢性病"));
  g_assert_nonnull (strstr (chinese_text, code));
  assert_text_inside_border (pdf);

  /* the second write replaced the first, and left nothing else behind */
  assert_dir_has_only (dir, "long.pdf\n");

out:
  sy_rm_rf (dir, NULL);
}

static void
test_pdf_missing_folder (void)
{
  g_autofree char *dir = test_make_temp_dir ("certificate");
  g_autofree char *pdf = g_build_filename (dir, "missing", "certificate.pdf", NULL);
  g_autofree char *code = sy_certificate_make_code ("a", "b", "c");
  g_autoptr(GDateTime) completed = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;
  SyCertificateInfo info = {
    .learner_name = "王秀英",
    .course_title = "课程",
    .completed = completed,
    .verification_code = code,
  };

  g_assert_false (sy_certificate_write_pdf (&info, pdf, &error));
  g_assert_error (error, SY_CERTIFICATE_ERROR, SY_CERTIFICATE_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, pdf));
  assert_dir_has_only (dir, "");

  sy_rm_rf (dir, NULL);
}

static void
test_pdf_rename_fails (void)
{
  g_autofree char *dir = test_make_temp_dir ("certificate");
  g_autofree char *target = g_build_filename (dir, "certificate.pdf", NULL);
  g_autofree char *code = sy_certificate_make_code ("a", "b", "c");
  g_autoptr(GDateTime) completed = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;
  SyCertificateInfo info = {
    .learner_name = "王秀英",
    .course_title = "课程",
    .completed = completed,
    .verification_code = code,
  };

  /* A folder where the file should go: the PDF is rendered, the rename fails, and the
   * temporary file must not stay behind. */
  test_write_file (target, "keep", "x");

  g_assert_false (sy_certificate_write_pdf (&info, target, &error));
  g_assert_error (error, SY_CERTIFICATE_ERROR, SY_CERTIFICATE_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, target));
  assert_dir_has_only (dir, "certificate.pdf\ncertificate.pdf/keep\n");

  sy_rm_rf (dir, NULL);
}

#ifdef __SANITIZE_ADDRESS__
const char *__asan_default_options (void);

/* cairo and fontconfig are built without frame pointers, so the fast unwinder stops at
 * their first frame and a leak inside cairo shows no caller. Full stacks let the one
 * cairo leak in tests/lsan.supp be matched by name instead of by the whole library. */
const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}
#endif

int
main (int   argc,
      char *argv[])
{
  void (*fc_fini) (void);
  int status;

  g_test_init (&argc, &argv, NULL);
  sy_core_init ();

  g_test_add_func ("/certificate/code/pinned", test_code_pinned);
  g_test_add_func ("/certificate/code/format", test_code_format);
  g_test_add_func ("/certificate/code/differs", test_code_differs);
  g_test_add_func ("/certificate/pdf/chinese", test_pdf_chinese);
  g_test_add_func ("/certificate/pdf/optional-fields", test_pdf_optional_fields);
  g_test_add_func ("/certificate/pdf/long-texts", test_pdf_long_texts);
  g_test_add_func ("/certificate/pdf/missing-folder", test_pdf_missing_folder);
  g_test_add_func ("/certificate/pdf/rename-fails", test_pdf_rename_fails);

  status = g_test_run ();

  /* Pango's default font map, cairo's font caches and fontconfig's configuration live
   * until exit; drop them so LeakSanitizer sees only real leaks. fontconfig stores its
   * pointers as offsets, so what it still holds looks "lost" until FcFini() frees it.
   * FcFini is looked up rather than linked: fontconfig is only a private dependency of
   * pangocairo, and nothing else here needs it. */
  pango_cairo_font_map_set_default (NULL);
  cairo_debug_reset_static_data ();
  fc_fini = (void (*) (void)) dlsym (RTLD_DEFAULT, "FcFini");
  if (fc_fini != NULL)
    fc_fini ();

  return status;
}
