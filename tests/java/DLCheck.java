// OWL 2 DL checks of each ontology file named on the command line, for tests/owl2dl.py: the OWL API's OWL 2 DL
// profile checker, then HermiT (consistency, unsatisfiable classes, the inferred class hierarchy).
// Run as `java -cp HermiT.jar DLCheck.java FILE...` (owlready2's HermiT.jar holds HermiT and OWL API 3.4.3; the
// JRE's source launcher compiles this file in memory). One JVM for every file; output is tab-separated lines:
//   file <path> classes=N ...            signature counts as the OWL API read them
//   violation <path> <kind> <message>    one per OWL 2 DL profile violation
//   hermit <path> consistent|inconsistent|error [<message>]
//   unsatisfiable <path> <class IRI>
//   subclass <path> <class IRI> <direct superclass IRI>   (owl:Thing left out; equivalents both ways)
import java.io.File;

import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.reasoner.InferenceType;

public class DLCheck {
    static void out(String... fields) {
        System.out.println(String.join("\t", fields).replaceAll("[\r\n]+", " "));
    }

    public static void main(String[] args) throws Exception {
        for (String path : args) {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(path));
            out("file", path,
                "classes=" + ontology.getClassesInSignature().size(),
                "objectProperties=" + ontology.getObjectPropertiesInSignature().size(),
                "dataProperties=" + ontology.getDataPropertiesInSignature().size(),
                "annotationProperties=" + ontology.getAnnotationPropertiesInSignature().size(),
                "datatypes=" + ontology.getDatatypesInSignature().size(),
                "individuals=" + ontology.getIndividualsInSignature().size(),
                "logicalAxioms=" + ontology.getLogicalAxiomCount());
            for (OWLProfileViolation violation : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
                out("violation", path, violation.getClass().getSimpleName(), violation.toString());
            }
            Reasoner hermit;
            try {
                hermit = new Reasoner(new Configuration(), ontology);  // rejects datatypes outside the OWL 2 map
            } catch (RuntimeException e) {
                out("hermit", path, "error", e.toString());
                continue;
            }
            if (!hermit.isConsistent()) {
                out("hermit", path, "inconsistent");
                continue;
            }
            hermit.precomputeInferences(InferenceType.CLASS_HIERARCHY);
            out("hermit", path, "consistent");
            for (OWLClass c : hermit.getUnsatisfiableClasses().getEntitiesMinusBottom()) {
                out("unsatisfiable", path, c.getIRI().toString());
            }
            for (OWLClass c : ontology.getClassesInSignature()) {
                for (OWLClass sup : hermit.getSuperClasses(c, true).getFlattened()) {
                    if (!sup.isOWLThing()) out("subclass", path, c.getIRI().toString(), sup.getIRI().toString());
                }
                for (OWLClass same : hermit.getEquivalentClasses(c).getEntities()) {
                    if (!same.equals(c)) out("subclass", path, c.getIRI().toString(), same.getIRI().toString());
                }
            }
            hermit.dispose();
        }
    }
}
