package dev.segmentrelay.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class HtmlReportTest {
  @TempDir Path dir;

  private static Document parse(String html) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    f.setExpandEntityReferences(false);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
  }

  private static String html() {
    Summary s = SampleRun.summary();
    return HtmlReport.render(s, Optional.of(Slo.parse("stall_ratio<0.1,errors<1").evaluate(s)));
  }

  @Test
  void isWellFormedWithTablesAndSeries() throws Exception {
    Document doc = parse(html());
    XPath x = XPathFactory.newInstance().newXPath();
    for (String table :
        new String[] {
          "run", "summary", "regions", "edges", "cache", "slo", "drills", "loadtester", "errors"
        }) {
      assertThat(
              (NodeList)
                  x.evaluate(
                      "//*[local-name()='table'][@id='" + table + "']",
                      doc,
                      XPathConstants.NODESET))
          .as(table)
          .extracting(NodeList::getLength)
          .isEqualTo(1);
    }
    for (String chart : new String[] {"viewers", "throughput", "latency", "stalls", "loadtester"}) {
      assertThat(
              x.evaluate("count(//*[@id='chart-" + chart + "']//*[local-name()='polyline'])", doc))
          .as(chart)
          .isNotEqualTo("0");
    }
    for (String series : new String[] {"p50", "p95", "p99", "Mbit/s", "viewers", "stalls"}) {
      assertThat(
              x.evaluate("count(//*[local-name()='polyline'][@data-series='" + series + "'])", doc))
          .as(series)
          .isEqualTo("1");
    }
    // 5 timeline points in each series
    String points = x.evaluate("//*[local-name()='polyline'][@data-series='viewers']/@points", doc);
    assertThat(points.trim().split(" ")).hasSize(5);
    assertThat(
            x.evaluate(
                "//*[local-name()='table'][@id='regions']/*[local-name()='tr'][2]/*[1]", doc))
        .isEqualTo("jp");
    assertThat(
            x.evaluate("//*[local-name()='table'][@id='slo']//*[local-name()='tr'][3]/*[3]", doc))
        .isEqualTo("FAIL");
    assertThat(x.evaluate("//*[local-name()='table'][@id='edges']", doc))
        .contains(SampleRun.NASTY_EDGE)
        .contains("tokyo-1");
  }

  @Test
  void escapesNamesAndLoadsNothingFromOutside() throws Exception {
    String html = html();
    assertThat(html).doesNotContain(SampleRun.NASTY_EDGE).doesNotContain("<b>");
    assertThat(html).contains("&lt;b&gt;edge&quot;&amp;&#39;&lt;/b&gt;");
    assertThat(html).contains("?a=1&amp;b=&lt;2&gt;");
    assertThat(html).doesNotContain("<script").doesNotContain("src=").doesNotContain("href=");
    assertThat(HtmlReport.esc("a\u0001b")).isEqualTo("a?b");
  }

  @Test
  void bottleneckWarningIsShown() throws Exception {
    Results r = new Results(new java.util.concurrent.atomic.AtomicLong()::get);
    r.loadTester(new LoadTesterHealth(199, 99, 80, 250, true, 0));
    String html = HtmlReport.render(r.summary(), Optional.empty());
    Document doc = parse(html);
    assertThat(XPathFactory.newInstance().newXPath().evaluate("//*[@id='bottleneck']", doc))
        .contains("loop lag p99 80.0 ms");
    Path file = dir.resolve("report.html");
    HtmlReport.write(r.summary(), Optional.empty(), file);
    assertThat(Files.readString(file)).startsWith("<!DOCTYPE html>");
  }
}
